"""Run a workflow's steps the way GitHub's runner does, on this machine, without GitHub.

A `Repository` is a GitHub repository on disk: a bare `origin`, pull requests as the
`refs/pull/N/{head,merge}` refs GitHub keeps, and workflow runs. A run reads the workflow
file, checks that it triggers on the event, evaluates `if:`, `env:` and `${{ }}`
expressions, and runs every `run:` step with bash in a fresh workspace, with the
environment the runner gives (GITHUB_EVENT_PATH with a payload of GitHub's shape,
GITHUB_OUTPUT, GITHUB_ENV, GITHUB_PATH, GITHUB_STEP_SUMMARY, CI=true, no git identity).

Only what is GitHub's is replaced: `actions/checkout` clones origin as it would (honouring
`fetch-depth`), `actions/setup-python` puts this test environment's Python and `ledgerops`
on PATH, `actions/cache` does nothing, and `gh` is a stand-in that records its calls.
"""

from __future__ import annotations

import copy
import json
import re
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tests.workflows.expressions import condition, interpolate, to_text

HERE = Path(__file__).resolve().parent
EVENTS = HERE / "events"
PYTHON_BIN = Path(sys.executable).parent  # what setup-python would provide: python, pip, ledgerops
SYSTEM_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
FOUNDER = ("Jane Doe", "jane@janedoe.example")
_ACTIONS = re.compile(r"actions/(checkout|setup-python|cache)@v\d+\Z")
_COMMAND = re.compile(r"^::(error|warning|notice)(?: ([^:]*))?::(.*)$")
STEP_TIMEOUT = 300
HARNESS_TOKEN = "ghs_harness_token"  # the run's github.token


class HarnessError(Exception):
    """The workflow asks for something GitHub would refuse, or the harness does not fake."""


@dataclass(frozen=True)
class Annotation:
    level: str
    message: str
    file: str | None = None
    line: int | None = None
    title: str | None = None


@dataclass(frozen=True)
class Step:
    name: str
    outcome: str  # success | failure | skipped
    stdout: str = ""
    stderr: str = ""


@dataclass(frozen=True)
class Run:
    conclusion: str  # success | failure | skipped
    steps: tuple[Step, ...]
    summary: str
    gh_calls: tuple[dict[str, Any], ...]

    @property
    def log(self) -> str:
        return "\n".join(f"--- {s.name} ({s.outcome})\n{s.stdout}{s.stderr}" for s in self.steps)

    @property
    def annotations(self) -> tuple[Annotation, ...]:
        found = []
        for step in self.steps:
            for line in step.stdout.splitlines():
                match = _COMMAND.match(line)
                if match:
                    found.append(_annotation(*match.groups()))
        return tuple(found)

    def step(self, name: str) -> Step:
        return next(s for s in self.steps if s.name == name)


@dataclass(frozen=True)
class Commit:
    sha: str
    author: str
    email: str
    subject: str
    body: str
    files: tuple[str, ...] = field(default=())


def _unescape(text: str) -> str:
    for escaped, plain in (("%0A", "\n"), ("%0D", "\r"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
        text = text.replace(escaped, plain)
    return text


def _annotation(level: str, props: str | None, message: str) -> Annotation:
    values = dict(part.split("=", 1) for part in (props or "").split(",") if "=" in part)
    line = values.get("line")
    return Annotation(
        level,
        _unescape(message),
        _unescape(values["file"]) if "file" in values else None,
        int(line) if line else None,
        _unescape(values["title"]) if "title" in values else None,
    )


def git(*args: str, cwd: Path, identity: tuple[str, str] | None = None) -> str:
    """Run git as a person would; `identity` is who commits (the runner itself has none)."""
    who = ["-c", f"user.name={identity[0]}", "-c", f"user.email={identity[1]}"] if identity else []
    done = subprocess.run(
        ["git", *who, *args], cwd=cwd, capture_output=True, text=True, timeout=60, check=False
    )
    if done.returncode != 0:
        raise HarnessError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def load_workflow(path: Path) -> dict[str, Any]:
    document = yaml.safe_load(path.read_text())
    if True in document:  # YAML 1.1 reads the key `on` as a boolean
        document["on"] = document.pop(True)
    return document


def event_payload(name: str) -> dict[str, Any]:
    """A fresh copy of the fixture for that event, in GitHub's documented webhook shape."""
    return json.loads((EVENTS / f"{name}.json").read_text())


class Repository:
    """A GitHub repository on disk, with runs of its workflows."""

    def __init__(
        self, root: Path, full_name: str = "janedoe/billing", api_url: str = "https://api.github.com"
    ) -> None:
        self.root = root
        self.full_name = full_name
        self.api_url = api_url  # a local stand-in for GitHub's REST API, for the steps that call it
        self.origin = root / "origin.git"
        root.mkdir(parents=True, exist_ok=True)
        git("init", "-q", "--bare", "--initial-branch=main", str(self.origin), cwd=root)
        self.gh_log = root / "gh-calls.jsonl"
        self._runs = 0
        self._pulls = 0
        self._gh_bin = root / "gh-bin"
        self._gh_bin.mkdir()
        shim = self._gh_bin / "gh"
        shim.write_text(
            f'#!/bin/sh\nexec "{sys.executable}" "{HERE / "gh_standin.py"}" "{self.gh_log}" "$@"\n'
        )
        shim.chmod(0o755)

    # --- the repository's side ---------------------------------------------------------------

    def publish(self, ledger: Path) -> None:
        """Push a local ledger repository's `main` as the repository's default branch."""
        git("push", "-q", str(self.origin), "HEAD:refs/heads/main", cwd=ledger)

    def clone(self, name: str = "founder") -> Path:
        """A working copy, as the founder has on their laptop."""
        target = self.root / name
        git("clone", "-q", str(self.origin), str(target), cwd=self.root)
        return target

    def open_pull_request(self, head: str, base: str = "main") -> dict[str, Any]:
        """Make the refs GitHub makes for a pull request, and return its `opened` payload."""
        self._pulls += 1
        number = self._pulls
        scratch = self.root / f"pr-{number}"
        git("clone", "-q", str(self.origin), str(scratch), cwd=self.root)
        git("checkout", "-q", "--detach", f"origin/{base}", cwd=scratch)
        base_sha = git("rev-parse", "HEAD", cwd=scratch).strip()
        head_sha = git("rev-parse", f"origin/{head}", cwd=scratch).strip()
        git("merge", "-q", "--no-ff", "-m", f"Merge {head_sha} into {base_sha}", head_sha,
            cwd=scratch, identity=("GitHub", "noreply@github.com"))  # fmt: skip
        git(
            "push",
            "-q",
            "origin",
            f"{head_sha}:refs/pull/{number}/head",
            f"HEAD:refs/pull/{number}/merge",
            cwd=scratch,
        )
        payload = event_payload("pull_request")
        payload["number"] = number
        pull = payload["pull_request"]
        pull["number"] = number
        pull["head"].update(ref=head, sha=head_sha, label=f"{self.full_name.split('/')[0]}:{head}")
        pull["base"].update(ref=base, sha=base_sha)
        return payload

    def merge_pull_request(self, payload: dict[str, Any]) -> None:
        """Merge as GitHub's merge button does: the base branch takes the pull request's merge
        commit, refused when the base moved on since the pull request was opened."""
        pull = payload["pull_request"]
        git("update-ref", f"refs/heads/{pull['base']['ref']}", f"refs/pull/{payload['number']}/merge",
            pull["base"]["sha"], cwd=self.origin)  # fmt: skip

    def log(self, ref: str = "main") -> list[Commit]:
        """The commits on a branch of origin, newest first, with the files each one touched."""
        out = git("log", "--format=%x00%H%x1f%an%x1f%ae%x1f%s%x1f%b%x1f", "--name-only", ref, cwd=self.origin)
        commits = []
        for chunk in out.split("\x00")[1:]:
            sha, author, email, subject, body, files = chunk.split("\x1f")
            commits.append(Commit(sha, author, email, subject, body.strip(), tuple(files.split())))
        return commits

    def read(self, path: str, ref: str = "main") -> str:
        return git("show", f"{ref}:{path}", cwd=self.origin)

    def branches(self) -> list[str]:
        out = git("for-each-ref", "--format=%(refname:short)", "refs/heads", cwd=self.origin)
        return out.split()

    def _race_hooks(self, clone: Path) -> Path:
        hooks = self.root / f"race-hooks-{self._runs}"
        hooks.mkdir()
        hook = hooks / "pre-push"
        # A hook runs with GIT_DIR and friends set for the run's repository: clear them first.
        hook.write_text(
            "#!/bin/sh\n"
            f'[ -e "{hooks}/done" ] && exit 0\n'
            f'touch "{hooks}/done"\n'
            "unset GIT_DIR GIT_WORK_TREE GIT_INDEX_FILE GIT_PREFIX\n"
            f'exec git -C "{clone}" push -q origin HEAD:refs/heads/main\n'
        )
        hook.chmod(0o755)
        return hooks

    def gh_calls(self) -> list[dict[str, Any]]:
        return (
            [json.loads(line) for line in self.gh_log.read_text().splitlines()]
            if self.gh_log.exists()
            else []
        )

    # --- a workflow run ----------------------------------------------------------------------

    def run(
        self,
        workflow: Path,
        event: str,
        payload: dict[str, Any] | None = None,
        *,
        inputs: Mapping[str, Any] | None = None,
        variables: Mapping[str, str] | None = None,
        secrets: Mapping[str, str] | None = None,
        pushed_meanwhile: Path | None = None,
    ) -> Run:
        """Run every job of `workflow` for one event, as GitHub would on `ubuntu-latest`.

        `pushed_meanwhile`: a working copy whose `main` the founder pushes at the moment the
        run first pushes (from a pre-push hook), so the run's push is rejected once."""
        self._runs += 1
        document = load_workflow(workflow)
        payload = copy.deepcopy(payload) if payload is not None else event_payload(event)
        typed_inputs = _trigger(document, event, payload, dict(inputs or {}), workflow)
        job_run = _JobRunner(self, self._runs, workflow, document, event, payload, typed_inputs,
                             dict(variables or {}), dict(secrets or {}))  # fmt: skip
        if pushed_meanwhile is not None:
            job_run.git_config["core.hooksPath"] = str(self._race_hooks(pushed_meanwhile))
        calls_before = len(self.gh_calls())
        steps, conclusion, summary = job_run.run_jobs()
        return Run(conclusion, steps, summary, tuple(self.gh_calls()[calls_before:]))


def _trigger(
    document: dict[str, Any], event: str, payload: dict[str, Any], inputs: dict[str, Any], workflow: Path
) -> dict[str, Any]:
    """Check the workflow runs on this event (as GitHub decides) and return the `inputs` context."""
    triggers = document["on"]
    if isinstance(triggers, str):
        triggers = {triggers: None}
    elif isinstance(triggers, list):
        triggers = dict.fromkeys(triggers)
    if event not in triggers:
        raise HarnessError(f"{workflow.name} does not run on {event}")
    config = triggers[event] or {}
    if event == "schedule":
        payload["schedule"] = config[0]["cron"]
        payload["workflow"] = f".github/workflows/{workflow.name}"
    types = config.get("types") if isinstance(config, dict) else None
    if types and payload.get("action") not in types:
        raise HarnessError(f"{workflow.name} does not run on {event} of type {payload.get('action')!r}")
    if event != "workflow_dispatch":
        if inputs:
            raise HarnessError("inputs only exist for workflow_dispatch")
        return {}
    declared = config.get("inputs") or {}
    unknown = set(inputs) - set(declared)
    if unknown:
        raise HarnessError(f"GitHub refuses unexpected inputs {sorted(unknown)}")
    typed: dict[str, Any] = {}
    for name, spec in declared.items():
        value = inputs.get(name, spec.get("default"))
        if value is None and spec.get("required"):
            raise HarnessError(f"input {name!r} is required")
        if spec.get("type") == "boolean":
            value = value in (True, "true")
        elif spec.get("type") == "choice" and value is not None and value not in spec["options"]:
            raise HarnessError(f"input {name!r} must be one of {spec['options']}")
        typed[name] = value if value is not None else ""
    payload["inputs"] = {name: to_text(value) for name, value in typed.items()}
    payload["workflow"] = f".github/workflows/{workflow.name}"
    return typed


class _JobRunner:
    def __init__(
        self,
        repo: Repository,
        number: int,
        workflow: Path,
        document: dict[str, Any],
        event: str,
        payload: dict[str, Any],
        inputs: dict[str, Any],
        variables: dict[str, str],
        secrets: dict[str, str],
    ) -> None:
        self.repo = repo
        self.document = document
        self.event = event
        self.payload = payload
        base = repo.root / f"run-{number}"
        self.base = base
        self.workspace = base / "workspace"
        self.temp = base / "temp"
        self.home = base / "home"
        for folder in (self.workspace, self.temp, self.home):
            folder.mkdir(parents=True)
        event_path = self.temp / "event.json"
        event_path.write_text(json.dumps(payload, indent=2))
        pull = payload.get("pull_request")
        if event == "pull_request":
            ref, sha = (
                f"refs/pull/{payload['number']}/merge",
                git("rev-parse", f"refs/pull/{payload['number']}/merge", cwd=repo.origin).strip(),
            )
        else:
            ref = payload.get("ref") if event == "workflow_dispatch" else "refs/heads/main"
            sha = git("rev-parse", ref, cwd=repo.origin).strip()
        self.ref = ref
        owner = repo.full_name.split("/")[0]
        self.github = {
            "event_name": event,
            "event": payload,
            "event_path": str(event_path),
            "ref": ref,
            "ref_name": f"{payload['number']}/merge" if pull else ref.removeprefix("refs/heads/"),
            "ref_type": "branch",
            "sha": sha,
            "repository": repo.full_name,
            "repository_owner": owner,
            "actor": (payload.get("sender") or {}).get("login", owner),
            "triggering_actor": (payload.get("sender") or {}).get("login", owner),
            "run_id": str(7_000_000_000 + number),
            "run_number": str(number),
            "run_attempt": "1",
            "workflow": document.get("name", workflow.name),
            "base_ref": pull["base"]["ref"] if pull else "",
            "head_ref": pull["head"]["ref"] if pull else "",
            "server_url": "https://github.com",
            "api_url": repo.api_url,
            "token": HARNESS_TOKEN,
            "workspace": str(self.workspace),
        }
        self.contexts: dict[str, Any] = {
            "github": self.github,
            "inputs": inputs,
            "vars": variables,
            "secrets": {"GITHUB_TOKEN": self.github["token"], **secrets},
            "runner": {"os": "Linux", "arch": "X64", "temp": str(self.temp), "name": "harness"},
            "needs": {},
            "strategy": {},
            "matrix": {},
        }
        self.path_prefix: list[str] = [str(repo._gh_bin)]
        self.git_config: dict[str, str] = {}
        self.env_file: dict[str, str] = {}

    def run_jobs(self) -> tuple[tuple[Step, ...], str, str]:
        steps: list[Step] = []
        summaries: list[str] = []
        conclusion = "skipped"
        for index, (job_id, job) in enumerate(self.document["jobs"].items()):
            self.github["job"] = job_id
            if not condition(job.get("if"), {**self.contexts, "env": {}}, "success"):
                continue
            if index:  # each job runs on a fresh runner: its own workspace, temp, GITHUB_ENV and PATH
                self.workspace = self.base / f"workspace-{job_id}"
                self.temp = self.base / f"temp-{job_id}"
                self.workspace.mkdir()
                self.temp.mkdir()
                self.github["workspace"] = str(self.workspace)
                self.contexts["runner"] = {**self.contexts["runner"], "temp": str(self.temp)}
                self.env_file = {}
                self.path_prefix = [str(self.repo._gh_bin)]
            env = self._env(self.document.get("env"), {})
            env = self._env(job.get("env"), env)
            job_steps, status = self._run_steps(job, env, summaries)
            steps += job_steps
            conclusion = "failure" if status == "failure" or conclusion == "failure" else "success"
        return tuple(steps), conclusion, "".join(summaries)

    def _env(
        self, block: Mapping[str, Any] | None, env: dict[str, str], contexts: Mapping[str, Any] | None = None
    ) -> dict[str, str]:
        merged = dict(env)
        for key, value in (block or {}).items():
            merged[key] = interpolate(to_text(value), {**(contexts or self.contexts), "env": merged})
        return merged

    def _run_steps(
        self, job: dict[str, Any], env: dict[str, str], summaries: list[str]
    ) -> tuple[list[Step], str]:
        status = "success"
        results: list[Step] = []
        steps_context: dict[str, Any] = {}
        defaults = {
            **(self.document.get("defaults") or {}).get("run", {}),
            **(job.get("defaults") or {}).get("run", {}),
        }
        for index, step in enumerate(job["steps"]):
            name = step.get("name") or step.get("uses") or step.get("run", "").splitlines()[0]
            contexts = {
                **self.contexts,
                "env": {**env, **self.env_file},
                "steps": steps_context,
                "job": {"status": status},
            }
            if not condition(step.get("if"), contexts, status):
                results.append(Step(name, "skipped"))
                if "id" in step:
                    steps_context[step["id"]] = {"outputs": {}, "outcome": "skipped", "conclusion": "skipped"}
                continue
            if "uses" in step:
                result, outputs = self._use(step, name), {}
            else:
                result, outputs, summary = self._shell(step, name, index, contexts, env, defaults, job)
                summaries.append(summary)
            failed = result.outcome == "failure" and not step.get("continue-on-error")
            if failed:
                status = "failure"
            if "id" in step:
                conclusion = "success" if result.outcome == "failure" and not failed else result.outcome
                steps_context[step["id"]] = {
                    "outputs": outputs,
                    "outcome": result.outcome,
                    "conclusion": conclusion,
                }
            results.append(result)
        return results, status

    def _use(self, step: dict[str, Any], name: str) -> Step:
        action = step["uses"]
        match = _ACTIONS.match(action)
        if not match:
            raise HarnessError(f"the harness has no stand-in for {action!r}")
        settings = step.get("with") or {}
        if match.group(1) == "checkout":
            self._checkout(int(settings.get("fetch-depth", 1)))
        elif match.group(1) == "setup-python":
            dependency = settings.get("cache-dependency-path")
            if settings.get("cache") and dependency and not (self.workspace / dependency).is_file():
                return Step(
                    name, "failure", stderr=f"No file matched to [{dependency}]: the cache has no key"
                )
            self.path_prefix.append(str(PYTHON_BIN))
        return Step(name, "success")

    def _checkout(self, depth: int) -> None:
        """What actions/checkout does: init, fetch the ref (all branches with depth 0), check out."""
        ws, origin = self.workspace, f"file://{self.repo.origin}"
        git("init", "-q", cwd=ws)
        git("remote", "add", "origin", origin, cwd=ws)
        shallow = [] if depth == 0 else [f"--depth={depth}"]
        if depth == 0:
            git(
                "fetch",
                "-q",
                "origin",
                "+refs/heads/*:refs/remotes/origin/*",
                "+refs/tags/*:refs/tags/*",
                cwd=ws,
            )
        if self.event == "pull_request":
            local = f"refs/remotes/pull/{self.payload['number']}/merge"
            git("fetch", "-q", *shallow, "origin", f"+{self.ref}:{local}", cwd=ws)
            git("checkout", "-q", "--detach", local, cwd=ws)
        else:
            branch = self.ref.removeprefix("refs/heads/")
            git("fetch", "-q", *shallow, "origin", f"+{self.ref}:refs/remotes/origin/{branch}", cwd=ws)
            git("checkout", "-q", "-B", branch, f"refs/remotes/origin/{branch}", cwd=ws)

    def _shell(
        self,
        step: dict[str, Any],
        name: str,
        index: int,
        contexts: dict[str, Any],
        env: dict[str, str],
        defaults: dict[str, Any],
        job: dict[str, Any],
    ) -> tuple[Step, dict[str, str], str]:
        shell = step.get("shell") or defaults.get("shell")
        if shell not in (None, "bash"):
            raise HarnessError(f"the harness runs bash steps only, not {shell!r}")
        # `shell: bash` adds pipefail; GitHub's implicit default on Linux is `bash -e {0}`.
        command = ["bash", "--noprofile", "--norc", "-eo", "pipefail"] if shell else ["bash", "-e"]
        script = self.temp / f"step-{index}.sh"
        script.write_text(interpolate(step["run"], contexts))
        files = {key: self.temp / f"{key.lower()}-{index}" for key in ("GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_PATH", "GITHUB_STEP_SUMMARY")}  # fmt: skip
        for path in files.values():
            path.touch()
        step_env = self._env(step.get("env"), {**env, **self.env_file}, contexts)
        process_env = {
            **self._runner_env(),
            **{key: str(path) for key, path in files.items()},
            **step_env,
            "PATH": ":".join([*reversed(self.path_prefix), SYSTEM_PATH]),
        }
        directory = self.workspace / (
            step.get("working-directory") or defaults.get("working-directory") or "."
        )
        minutes = step.get("timeout-minutes") or job.get("timeout-minutes") or 360
        try:
            done = subprocess.run(
                [*command, str(script)], cwd=directory, env=process_env, capture_output=True, text=True,
                timeout=min(minutes * 60, STEP_TIMEOUT), check=False,
            )  # fmt: skip
            outcome, stdout, stderr = (
                ("success" if done.returncode == 0 else "failure"),
                done.stdout,
                done.stderr,
            )
        except subprocess.TimeoutExpired as timeout:
            outcome, stdout, stderr = (
                "failure",
                to_text(timeout.stdout),
                f"{to_text(timeout.stderr)}\n(timed out)",
            )
        self.env_file.update(key_values(files["GITHUB_ENV"].read_text()))
        self.path_prefix += [line for line in files["GITHUB_PATH"].read_text().splitlines() if line]
        outputs = key_values(files["GITHUB_OUTPUT"].read_text())
        return Step(name, outcome, stdout, stderr), outputs, files["GITHUB_STEP_SUMMARY"].read_text()

    def _runner_env(self) -> dict[str, str]:
        github = {
            f"GITHUB_{key.upper()}": value
            for key, value in self.github.items()
            if isinstance(value, str) and key != "token"  # the token reaches a step only through `secrets`
        }
        return {
            **github,
            "GITHUB_ACTIONS": "true",
            "CI": "true",
            "RUNNER_OS": "Linux",
            "RUNNER_ARCH": "X64",
            "RUNNER_TEMP": str(self.temp),
            "HOME": str(self.home),  # no ~/.gitconfig: the runner has no git identity
            "GIT_CONFIG_NOSYSTEM": "1",
            "LANG": "C.UTF-8",
            # The setup-python stand-in's environment already holds what the install step asks
            # for; no index means pip can only confirm that, never change this environment.
            "PIP_NO_INDEX": "1",
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            **_config_env(self.git_config),
        }


def _config_env(config: Mapping[str, str]) -> dict[str, str]:
    """git configuration as environment variables (GIT_CONFIG_COUNT/KEY_n/VALUE_n)."""
    env = {"GIT_CONFIG_COUNT": str(len(config))} if config else {}
    for index, (key, value) in enumerate(config.items()):
        env[f"GIT_CONFIG_KEY_{index}"] = key
        env[f"GIT_CONFIG_VALUE_{index}"] = value
    return env


def key_values(text: str) -> dict[str, str]:
    """The `name=value` and `name<<DELIMITER` lines of GITHUB_OUTPUT and GITHUB_ENV files."""
    values: dict[str, str] = {}
    lines = iter(text.splitlines())
    for line in lines:
        if "<<" in line and ("=" not in line or line.index("<<") < line.index("=")):
            key, delimiter = line.split("<<", 1)
            body = []
            for inner in lines:
                if inner == delimiter:
                    break
                body.append(inner)
            values[key] = "\n".join(body)
        elif "=" in line:
            key, value = line.split("=", 1)
            values[key] = value
    return values
