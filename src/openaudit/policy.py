"""Policy files: `.openaudit.yaml`, or `[tool.openaudit]` in pyproject.toml, found in the working directory
(``--policy FILE`` overrides). Invalid policies fail with exit 2 naming the offending key.

    licenses: {allow: [...], deny: [...]}      # catalog ids, globs (llama*), SPDX ids or expressions
    require: {osaid: true, min_grade: C, mof_class: 2}
    context: {mau: 800M, annual_revenue: 1.2B, regions: [EU], commercial: true, train_on_outputs: false}
    fail_on: error | warning
    rules: {disable: [OA108], severity: {OA201: error}, paths: [./my-rules]}
    waivers:
      - {model: "acme/*", rule: OA201, reason: "contract with licensor", expires: 2027-01-31}
      - {model: "./models/*", reason: "our own fine-tunes, reviewed", expires: 2027-01-31}
    ignore: ["openai/*", "anthropic/*"]        # references `scan` finds that are not Hub models (API names)

A waiver is scoped by the kind of target: a ``model`` written as a path (``./models/*``, ``../shared/x``) waives
local directories only, matched against the directory's path relative to the working directory; any other
``model`` (``acme/*``, ``*``) waives Hub models only. So a waiver for ``acme/*`` never waives a committed
folder ``./acme/evil``. ``expires`` is a date (a YAML datetime counts as its date).
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import os
import re
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from openaudit.context import DeploymentContext
from openaudit.errors import UsageError
from openaudit.model import GRADE_LETTERS as GRADES
from openaudit.model import SEVERITIES

POLICY_FILES = (".openaudit.yaml", ".openaudit.yml")
MAX_POLICY_BYTES = 1024 * 1024
_TOP_KEYS = {"licenses", "require", "context", "fail_on", "rules", "waivers", "models", "ignore"}


class PolicyError(UsageError):
    pass


class Waiver(Struct):
    """A policy waiver: a rule set aside for a model, with its reason and expiry."""

    model: str
    reason: str
    rule: str | None = None
    expires: dt.date | None = None

    def expired(self, today: dt.date) -> bool:
        return self.expires is not None and self.expires < today

    @property
    def local(self) -> bool:
        """Whether this waiver names local directories (a path) rather than Hub models."""
        return self.model.startswith(("./", "../", "/"))

    def applies_to(self, kind: str, target_id: str) -> bool:
        """Whether this waiver covers the target: path waivers cover local directories, others Hub models."""
        if kind == "local":
            if not self.local:
                return False
            return fnmatch.fnmatchcase(_local_key(target_id), _local_key(self.model))
        return not self.local and fnmatch.fnmatchcase(target_id.lower(), self.model.lower())

    def matches(self, target_id: str, rule: str, kind: str = "hub") -> bool:
        return self.applies_to(kind, target_id) and (self.rule is None or self.rule.upper() == rule)


def _local_key(path: str) -> str:
    """A local path as waivers compare it: normalised, relative to the working directory when inside it."""
    norm = os.path.normpath(path)
    if os.path.isabs(norm):
        try:
            rel = os.path.relpath(norm)
        except ValueError:
            rel = norm
        norm = rel if not rel.startswith("..") else norm
    return norm.replace(os.sep, "/")


class Policy(Struct):
    """A policy file: the allowed licenses, the standards required, the deployment context and waivers."""

    source: str | None = None
    allow: list[str] = field(default_factory=list)
    deny: list[str] = field(default_factory=list)
    require_osaid: bool = False
    min_grade: str | None = None
    mof_class: int | None = None
    context: DeploymentContext = field(default_factory=DeploymentContext)
    fail_on: str = "error"
    disable: frozenset[str] = frozenset()
    severity: dict[str, str] = field(default_factory=dict)
    rule_paths: list[str] = field(default_factory=list)
    waivers: list[Waiver] = field(default_factory=list)
    models: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)  # globs of references that are not Hub models (scan)

    def ignores(self, reference: str) -> bool:
        """Whether `scan` leaves this reference out: it matches an ``ignore`` glob (case-insensitive), e.g. an API
        model name (``openai/gpt-4o``) in a LiteLLM or gateway config."""
        ref = reference.lower()
        return any(fnmatch.fnmatchcase(ref, pat.lower()) for pat in self.ignore)

    # -- license allow/deny -------------------------------------------------------------------
    def license_verdict(self, license_id: str, spdx: str | None) -> tuple[str | None, str | None]:
        """("denied", pattern) / ("not_allowed", None) / (None, None)."""
        names = [n for n in (license_id, spdx) if n]
        for pattern in self.deny:
            if _license_matches(pattern, names):
                return "denied", pattern
        if self.allow and not any(_license_matches(p, names) for p in self.allow):
            return "not_allowed", None
        return None, None

    def to_facts(self, license_id: str, spdx: str | None) -> dict[str, Any]:
        verdict, pattern = self.license_verdict(license_id, spdx)
        return {
            "source": self.source,
            "license_denied": verdict == "denied",
            "license_not_allowed": verdict == "not_allowed",
            "license_pattern": pattern,
            "allow": list(self.allow),
            "require_osaid": self.require_osaid,
            "min_grade": self.min_grade,
            "min_grade_rank": grade_rank(self.min_grade) if self.min_grade else None,
            "mof_class": self.mof_class,
            "min_mof_rank": mof_rank(self.mof_class) if self.mof_class else None,
        }


def grade_rank(letter: str | None) -> int:
    """A=6 … F=1; no grade = 0."""
    if not letter or letter.upper() not in GRADES:
        return 0
    return len(GRADES) - GRADES.index(letter.upper())


def mof_rank(cls: int | None) -> int:
    """Class I=3, II=2, III=1, unclassified=0 (the rank the MOF result carries)."""
    from openaudit.standards.mof import rank_of

    return rank_of(cls)


def _license_ids_of(pattern: str) -> list[str]:
    """The license ids an allow/deny entry names: a glob/id, or every id of an SPDX expression."""
    if re.search(r"\s(AND|OR|WITH)\s|[()]", pattern):
        return [t for t in re.split(r"[\s()]+", pattern) if t and t.upper() not in ("AND", "OR", "WITH")]
    return [pattern]


def _license_matches(pattern: str, names: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(n.lower(), p.lower()) for p in _license_ids_of(pattern) for n in names)


def _list_of_str(value: Any, where: str) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise PolicyError(f"{where}: expected a list of strings")


def parse_policy(data: Any, source: str) -> Policy:
    if data is None:
        return Policy(source=source)
    if not isinstance(data, dict):
        raise PolicyError(f"{source}: a policy must be a mapping")
    unknown = set(data) - _TOP_KEYS
    if unknown:
        raise PolicyError(f"{source}: unknown key {sorted(unknown)[0]!r} (allowed: {', '.join(sorted(_TOP_KEYS))})")
    p = Policy(source=source)
    lic = data.get("licenses") or {}
    if not isinstance(lic, dict) or set(lic) - {"allow", "deny"}:
        raise PolicyError(f"{source}: 'licenses' takes 'allow' and 'deny' lists")
    p.allow = _list_of_str(lic.get("allow"), f"{source}: licenses.allow")
    p.deny = _list_of_str(lic.get("deny"), f"{source}: licenses.deny")
    req = data.get("require") or {}
    if not isinstance(req, dict) or set(req) - {"osaid", "min_grade", "mof_class"}:
        raise PolicyError(f"{source}: 'require' takes 'osaid', 'min_grade' and 'mof_class'")
    if "osaid" in req and not isinstance(req["osaid"], bool):
        raise PolicyError(f"{source}: require.osaid must be true or false")
    p.require_osaid = bool(req.get("osaid", False))
    if req.get("min_grade") is not None:
        g = str(req["min_grade"]).upper()
        if g not in GRADES:
            raise PolicyError(f"{source}: require.min_grade must be one of {', '.join(GRADES)}")
        p.min_grade = g
    if req.get("mof_class") is not None:
        mc = req["mof_class"]
        roman = {"I": 1, "II": 2, "III": 3}
        mc = roman.get(str(mc).upper(), mc)
        if mc not in (1, 2, 3):
            raise PolicyError(f"{source}: require.mof_class must be 1, 2 or 3")
        p.mof_class = mc
    p.context = DeploymentContext.from_mapping(data.get("context"), source)
    fail_on = data.get("fail_on", "error")
    if fail_on not in ("error", "warning"):
        raise PolicyError(f"{source}: fail_on must be 'error' or 'warning'")
    p.fail_on = fail_on
    rules = data.get("rules") or {}
    if not isinstance(rules, dict) or set(rules) - {"disable", "severity", "paths"}:
        raise PolicyError(f"{source}: 'rules' takes 'disable', 'severity' and 'paths'")
    p.disable = frozenset(c.upper() for c in _list_of_str(rules.get("disable"), f"{source}: rules.disable"))
    sev = rules.get("severity") or {}
    if not isinstance(sev, dict) or any(v not in SEVERITIES for v in sev.values()):
        raise PolicyError(f"{source}: rules.severity maps rule codes to one of {', '.join(SEVERITIES)}")
    p.severity = {str(k).upper(): v for k, v in sev.items()}
    base = Path(source).parent if source and not source.startswith("[") else Path(".")
    p.rule_paths = [str(base / d) for d in _list_of_str(rules.get("paths"), f"{source}: rules.paths")]
    p.models = _list_of_str(data.get("models"), f"{source}: models")
    p.ignore = _list_of_str(data.get("ignore"), f"{source}: ignore")
    waivers = data.get("waivers") or []
    if not isinstance(waivers, list):
        raise PolicyError(f"{source}: 'waivers' must be a list")
    for i, w in enumerate(waivers):
        where = f"{source}: waivers[{i}]"
        if not isinstance(w, dict) or set(w) - {"model", "rule", "reason", "expires"}:
            raise PolicyError(f"{where}: a waiver takes model, rule, reason and expires")
        if not isinstance(w.get("model"), str) or not w["model"].strip():
            raise PolicyError(f"{where}: 'model' is required")
        if not isinstance(w.get("reason"), str) or not w["reason"].strip():
            raise PolicyError(f"{where}: 'reason' is required")
        expires = w.get("expires")
        if isinstance(expires, dt.datetime):  # `expires: 2020-01-01T00:00:00` is that day
            expires = expires.date()
        if expires is not None and not isinstance(expires, dt.date):
            try:
                expires = dt.date.fromisoformat(str(expires))
            except ValueError:
                raise PolicyError(f"{where}: 'expires' must be a date (YYYY-MM-DD)") from None
        rule = w.get("rule")
        if rule is not None and not re.fullmatch(r"OA[0-9]{3}", str(rule).upper()):
            raise PolicyError(f"{where}: 'rule' must be a rule code like OA201")
        p.waivers.append(Waiver(model=w["model"], reason=w["reason"].strip(), rule=str(rule).upper() if rule else None,
                                expires=expires))
    return p


def load_policy(path: str | Path | None = None, cwd: Path | None = None) -> Policy:
    """The policy from ``path``, or discovered in ``cwd``; an empty policy when there is none."""
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise PolicyError(f"policy file not found: {p}")
        return _load_file(p)
    cwd = cwd or Path.cwd()
    for name in POLICY_FILES:  # anything by that name (a FIFO, a dangling link) is read, or fails: never skipped
        if os.path.lexists(cwd / name):
            return _load_file(cwd / name)
    pyproject = cwd / "pyproject.toml"
    if os.path.lexists(pyproject):
        text = _read_text(pyproject)
        if not _may_have_tool_section(text):  # not worth importing and running a TOML parser
            return Policy()
        import tomllib

        try:
            data = tomllib.loads(text)
        except ValueError as exc:
            raise PolicyError(f"{pyproject}: cannot read: {exc}") from None
        section = data.get("tool", {}).get("openaudit")
        if section is not None:
            return parse_policy(section, f"{pyproject} [tool.openaudit]")
    return Policy()


def _may_have_tool_section(text: str) -> bool:
    """False only when ``text`` certainly defines no ``tool.openaudit`` (no ``[tool.openaudit...]``, ``[tool]``,
    ``tool.openaudit...`` or ``tool = ...`` line): then it need not be parsed."""
    for line in text.splitlines():
        s = line.strip()
        if not s.startswith(("[", "tool", '"tool', "'tool")):
            continue
        s = s.replace(" ", "").replace("\t", "").replace('"', "").replace("'", "")
        if s.startswith(("[tool.openaudit", "[[tool.openaudit", "[tool]", "tool.openaudit", "tool=")):
            return True
    return False


def _read_text(p: Path) -> str:
    """A policy file's text: size-capped and opened without blocking (a FIFO or /proc file is refused)."""
    from openaudit.textutil import read_capped

    try:
        text, err, truncated, _ = read_capped(p, MAX_POLICY_BYTES)
    except OSError as exc:
        raise PolicyError(f"{p}: cannot read: {exc.strerror or exc}") from None
    if text is None or truncated:
        raise PolicyError(f"{p}: cannot read: {err or f'larger than {MAX_POLICY_BYTES} bytes'}")
    return text


def _load_file(p: Path) -> Policy:
    if p.suffix == ".toml":
        import tomllib

        try:
            data = tomllib.loads(_read_text(p))
        except ValueError as exc:
            raise PolicyError(f"{p}: cannot read: {exc}") from None
        return parse_policy(data.get("tool", {}).get("openaudit", data), str(p))
    import yaml  # only when there is a policy file: importing it costs ~15 ms of every start

    text = _read_text(p)
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, RecursionError) as exc:
        raise PolicyError(f"{p}: invalid YAML: {(str(exc) or 'too deeply nested').splitlines()[0]}") from None
    return parse_policy(data, str(p))
