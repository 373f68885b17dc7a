"""One email composer for invoices and reminders.

A message template is Markdown with Jinja2: its first line is `Subject: ...`, the rest is
the body. The body becomes a text/plain part (the Markdown, lightly unmarked) and an HTML
part (markdown-it, inside a phone-friendly layout with inline CSS); both go in a
multipart/alternative, with the PDF attached when there is one.
"""

from __future__ import annotations

import email.policy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any

import jinja2
from markdown_it import MarkdownIt

from ledgerops.core.errors import TemplateProblem, UnsafeHeader
from ledgerops.core.text import has_break_or_control
from ledgerops.render.templates import render

LAYOUT = "email/layout.html.j2"
_SUBJECT = re.compile(r"Subject:[ \t]*(?P<subject>[^\n]*)\n")


@dataclass(frozen=True, slots=True)
class Parts:
    subject: str
    text: str
    html: str


@dataclass(frozen=True, slots=True)
class Headers:
    sender_name: str
    sender_email: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    message_id: str
    date: datetime
    in_reply_to: str | None = None  # the Message-ID this message answers (threading)


@dataclass(frozen=True, slots=True)
class Attachment:
    filename: str
    content: bytes
    maintype: str = "application"
    subtype: str = "pdf"


def message_id(document_id: str, kind: str, sender_email: str) -> str:
    """Deterministic, so a reminder can name the invoice email it follows:
    <INV-2026-0007.invoice@studio.example>, <INV-2026-0007.overdue_7@studio.example>."""
    domain = sender_email.rsplit("@", 1)[-1]
    return f"<{document_id}.{kind}@{domain}>"


def render_parts(env: jinja2.Environment, template: str, values: Mapping[str, Any]) -> Parts:
    """Subject, text and HTML of a message template, without any header around them."""
    rendered = render(env, template, values)
    match = _SUBJECT.match(rendered)
    if not match:
        raise TemplateProblem(f"template {template} must start with a 'Subject: ...' line")
    subject = " ".join(match["subject"].split())
    body = rendered[match.end() :].strip("\n") + "\n"
    html_body = _markdown_html(body)
    html = render(env, LAYOUT, {**values, "subject": subject, "body": html_body})
    return Parts(subject, _plain_text(body), html)


def compose(parts: Parts, headers: Headers, attachments: Sequence[Attachment] = ()) -> EmailMessage:
    message = EmailMessage(policy=email.policy.SMTP)
    sender = Address(_safe("From", headers.sender_name), addr_spec=_safe("From", headers.sender_email))
    message["From"] = sender
    message["Reply-To"] = Address(addr_spec=headers.sender_email)
    message["To"] = [Address(addr_spec=_safe("To", address)) for address in headers.to]
    if headers.cc:
        message["Cc"] = [Address(addr_spec=_safe("Cc", address)) for address in headers.cc]
    message["Subject"] = _safe("Subject", parts.subject)
    message["Date"] = format_datetime(headers.date)
    message["Message-ID"] = _safe("Message-ID", headers.message_id)
    if headers.in_reply_to:
        message["In-Reply-To"] = _safe("In-Reply-To", headers.in_reply_to)
        message["References"] = headers.in_reply_to
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(parts.text)
    message.add_alternative(parts.html, subtype="html")
    for attachment in attachments:
        message.add_attachment(
            attachment.content,
            maintype=attachment.maintype,
            subtype=attachment.subtype,
            filename=_safe("attachment name", attachment.filename),
        )
    return message


def _safe(name: str, value: str) -> str:
    """Values from YAML end up in headers: a line break would let them add headers."""
    if has_break_or_control(value):
        raise UnsafeHeader(f"the {name} header would contain a line break or control character: {value!r}")
    return value


# --- Markdown -> HTML and text -------------------------------------------------------------
_STYLES = {
    "p": "margin:0 0 16px;",
    "h1": "margin:0 0 16px;font-size:22px;line-height:1.3;color:#111827;",
    "h2": "margin:24px 0 12px;font-size:18px;line-height:1.3;color:#111827;",
    "h3": "margin:20px 0 8px;font-size:16px;color:#111827;",
    "a": "color:#1d4ed8;text-decoration:underline;",
    "table": "width:100%;border-collapse:collapse;margin:0 0 16px;font-size:15px;",
    "th": "text-align:left;padding:6px 8px 6px 0;border-bottom:2px solid #e5e7eb;color:#6b7280;"
    "font-weight:600;font-size:13px;",
    "td": "padding:6px 8px 6px 0;border-bottom:1px solid #f0f0f0;vertical-align:top;",
    "ul": "margin:0 0 16px;padding-left:20px;",
    "ol": "margin:0 0 16px;padding-left:20px;",
    "li": "margin:0 0 4px;",
    "blockquote": "margin:0 0 16px;padding:8px 12px;border-left:3px solid #e5e7eb;color:#4b5563;",
    "hr": "border:none;border-top:1px solid #e5e7eb;margin:24px 0;",
    "code": "font-family:Menlo,Consolas,monospace;font-size:14px;",
}
_BUTTON = (
    "display:inline-block;background:#1d4ed8;color:#ffffff;text-decoration:none;font-weight:600;"
    "padding:12px 22px;border-radius:6px;"
)


def _markdown_html(markdown: str) -> str:
    """HTML with inline styles (mail programs drop <style>); a paragraph that is nothing
    but a link becomes a button. Raw HTML in the Markdown is shown as text, never run."""
    md = MarkdownIt("commonmark", {"html": False, "breaks": True}).enable("table")
    tokens = md.parse(markdown)
    for index, token in enumerate(tokens):
        if token.tag in _STYLES and token.nesting == 1:
            # markdown-it puts a column's alignment in the style attribute: keep it last
            token.attrSet("style", _STYLES[token.tag] + str(token.attrGet("style") or ""))
        if token.type == "inline" and token.children:
            lone_link = (
                len(token.children) == 3
                and token.children[0].type == "link_open"
                and index > 0
                and tokens[index - 1].type == "paragraph_open"
            )
            for child in token.children:
                if child.type == "link_open":
                    child.attrSet("style", _BUTTON if lone_link else _STYLES["a"])
    return md.renderer.render(tokens, md.options, {})


_LINK = re.compile(r"\[(?P<label>[^\]]+)\]\((?P<url>[^)\s]+)\)")
_AUTOLINK = re.compile(r"<(?P<url>https?://[^>\s]+)>")
_STRONG = re.compile(r"\*\*(?P<text>[^*]+)\*\*|__(?P<text2>[^_]+)__")
_ESCAPE = re.compile(r"\\(?P<char>[\\`*_{}\[\]()#+\-.!|>])")


def _plain_text(markdown: str) -> str:
    """The Markdown as a person reads it in a text-only mail program: links spelled out."""

    def link(match: re.Match[str]) -> str:
        label, url = match["label"], match["url"]
        return url if label == url else f"{label}: {url}"

    text = _LINK.sub(link, markdown)
    text = _AUTOLINK.sub(lambda m: m["url"], text)
    text = _STRONG.sub(lambda m: m["text"] or m["text2"], text)
    return _ESCAPE.sub(lambda m: m["char"], text)
