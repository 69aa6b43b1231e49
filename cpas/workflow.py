"""Status machines declared as data, and the one way to move a record along one.

A domain declares a ``Workflow``: its states (a ``StrEnum``, stored as codes, shown through
``labels``), and its ``Step``s: the action, the states it starts from, the target, which
sides (organisation kinds, or whatever ``side_of`` returns) and which function codes may
take it, its label, the inputs it needs, an optional guard (is the step open at all?) and
extra checks (are the inputs and the record ready?). Nothing else says who may move what.

* ``available(obj, user)``: the steps this user may take now (what the macro draws);
* ``fire(obj, action, by, version, given, confirmed)``: checks everything first (the step,
  the side, the functions, the guard, the version, the inputs, the checks, the
  confirmation of an irreversible step), and only then changes the record: the domain's
  ``apply``, the new status, a history event, the audit entry with the real actor, one
  commit (a concurrent write is a ``Conflict``), then the after-commit hooks
  (notifications). A refused step changes nothing, so no caller ever rolls back;
* ``submit(obj, action, by, formdata)``: what a route calls; parses the step's inputs with
  a form built from its declaration, fires, and returns an ``Outcome`` that the shared
  macro (``templates/_workflow.html``) draws: the actions again, what was typed kept, the
  message next to its field, the confirmation step, or the conflict.

This module knows no domain: water-fund and REDI steps live in their own packages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import Field, RadioField, SelectField, TextAreaField
from wtforms.validators import Length, Optional

from . import audit
from .concurrency import Conflict, VersionField, commit, ensure_current, stamp
from .confirmation import FIELD as CONFIRMED_FIELD
from .formfields import BaseForm, BelgianDateField, MoneyField

log = logging.getLogger(__name__)

#: Every declared workflow by name (its audit prefix): for the Admin-Logs labels and the
#: tests that check each machine against its seed.
REGISTRY: dict[str, Workflow] = {}

NOT_POSSIBLE = _l("Cette action n'est pas possible pour cet élément dans son statut actuel.")
#: Said next to what was typed when a stale page posts a step the other change removed.
STEP_GONE = _l(
    "L'action « %(action)s » n'est plus possible : le statut est maintenant « %(status)s »."
)
#: Longest free text a step takes (a motive, an answer, a reason).
TEXT_MAX = 4000


class RuleError(Exception):
    """A step refused by a rule; the message is for the user, ``field`` says where it goes."""

    def __init__(self, message: Any, field: str | None = None) -> None:
        super().__init__(str(message))
        self.field = field


class ConfirmationNeeded(Exception):
    """An irreversible step asked without its explicit confirmation; nothing changed."""

    def __init__(self, step: Step) -> None:
        super().__init__(str(step.confirm))
        self.step = step


@dataclass(frozen=True)
class Input:
    """One value a step needs from the user: how it is asked, checked and prefilled.

    ``kind``: ``"money"`` (Belgian amount, exact Decimal), ``"text"`` (free text),
    ``"yesno"`` (Oui / Non, given as True / False), ``"date"`` (JJ/MM/AAAA, a ``date``) or
    ``"choice"`` (one code of ``choices``)."""

    name: str
    kind: str
    label: Any
    required: bool = True
    #: The message next to the field when a required value is missing.
    missing: Any = _l("Ce champ est obligatoire.")
    #: The value the field shows before anything is typed (e.g. the requested amount).
    default: Callable[[Any], str] | None = None
    #: The value saved on the record, shown beside a different typed one after a conflict.
    saved: Callable[[Any], str | None] | None = None
    #: ``"choice"``: the (code, label) pairs offered.
    choices: tuple[tuple[str, Any], ...] = ()
    #: ``"text"``: the longest text taken (a social report is longer than a motive).
    max_length: int = 0

    def field(self) -> Field:
        """A fresh WTForms field for this input (parsing only: rules are checked in fire)."""
        if self.kind == "money":
            return MoneyField(self.label)
        if self.kind == "yesno":
            return RadioField(
                self.label,
                choices=[("oui", _l("Oui")), ("non", _l("Non"))],
                validators=[Optional()],
            )
        if self.kind == "text":
            longest = self.max_length or TEXT_MAX
            return TextAreaField(self.label, validators=[Optional(), Length(max=longest)])
        if self.kind == "date":
            return BelgianDateField(self.label, validators=[Optional()])
        if self.kind == "choice":
            return SelectField(
                self.label, choices=[("", "—"), *self.choices], validators=[Optional()]
            )
        raise ValueError(f"unknown input kind {self.kind!r}")

    def value(self, field: Field) -> Any:
        """The parsed value of the posted field (None when nothing usable was given)."""
        if self.kind == "yesno":
            return {"oui": True, "non": False}.get(field.data or "")
        if self.kind == "text":
            text = (field.data or "").strip()
            return text or None
        if self.kind == "choice":
            return field.data if field.data in {code for code, _label in self.choices} else None
        return field.data

    def is_missing(self, value: Any) -> bool:
        if value is None:
            return True
        return self.kind == "money" and value <= 0


@dataclass
class Firing:
    """A step being taken: what the domain's hooks receive."""

    obj: Any
    step: Step
    by: Any
    given: Mapping[str, Any]
    old: str
    new: str | None = None
    #: What the step made besides the change (e.g. the new record a duplication creates),
    #: for the after-commit hooks and the caller.
    result: Any = None


Hook = Callable[[Firing], None]


@dataclass(frozen=True)
class Step:
    """One arrow of the status machine."""

    action: str
    sources: tuple[str, ...]
    #: The state reached; a callable decides it after ``apply`` (e.g. « signé » only when
    #: the second signature is in).
    target: str | Callable[[Firing], str]
    #: The function codes the user must hold (all of them).
    functions: tuple[str, ...]
    label: Any
    #: The sides that may take the step (``Workflow.side_of(user)``); empty: any side.
    sides: tuple[str, ...] = ()
    inputs: tuple[Input, ...] = ()
    #: The question asked before an irreversible step, naming its consequence; the step is
    #: refused (``ConfirmationNeeded``) until the form says it was confirmed.
    confirm: Any = ""
    #: A line of help drawn under the step's inputs.
    help: Any = ""
    #: Is the step open at all for this record and user? None: yes; else the reason (shown
    #: when the step is posted anyway). A closed step is not drawn.
    guard: Callable[[Any, Any], Any] | None = None
    #: Checks of the record and the inputs, run before anything changes; raise RuleError.
    checks: tuple[Hook, ...] = ()
    #: What the step changes on the record besides its status (amounts, signatures…).
    apply: Hook | None = None

    def target_of(self, firing: Firing) -> str:
        return self.target(firing) if callable(self.target) else self.target

    @property
    def needs_confirmation(self) -> bool:
        return bool(self.confirm)


@dataclass
class Workflow:
    """A declared status machine of one kind of record."""

    #: Audit actions are ``f"{name}.{step.action}"`` (e.g. ``water.fat.approve``).
    name: str
    states: type[StrEnum]
    labels: Mapping[str, Any]
    steps: tuple[Step, ...]
    status_attr: str = "status"
    #: Which side a user acts for (compared with ``Step.sides``).
    side_of: Callable[[Any], str] = lambda user: user.organisation.kind
    #: Appends the history event of a step (the domain's event table).
    record_event: Hook | None = None
    #: Run after the commit, in order (notifications); a failure is logged, never raised:
    #: the step is saved, and a retry would take it twice.
    after_commit: tuple[Hook, ...] = ()
    #: The domain's wording of a refused step and of a step gone meanwhile (``%(action)s``,
    #: ``%(status)s``), and the exception it raises (a subclass of ``RuleError``).
    not_possible: Any = NOT_POSSIBLE
    gone: Any = STEP_GONE
    error: type[RuleError] = RuleError

    def __post_init__(self) -> None:
        if self.name in REGISTRY:
            raise ValueError(f"workflow {self.name!r} declared twice")
        codes = {s.value for s in self.states}
        seen: set[str] = set()
        for step in self.steps:
            if step.action in seen:
                raise ValueError(f"{self.name}: step {step.action!r} declared twice")
            seen.add(step.action)
            unknown = set(step.sources) - codes
            if not callable(step.target):
                unknown |= {step.target} - codes
            if unknown:
                raise ValueError(f"{self.name}.{step.action}: unknown states {sorted(unknown)}")
            if not step.functions:
                raise ValueError(f"{self.name}.{step.action}: no function code")
        missing = codes - set(self.labels)
        if missing:
            raise ValueError(f"{self.name}: states without a label {sorted(missing)}")
        REGISTRY[self.name] = self  # only a declaration that passed every check

    # ------------------------------------------------------------------ reading

    def step(self, action: str) -> Step | None:
        return next((s for s in self.steps if s.action == action), None)

    def status_of(self, obj: Any) -> str:
        return getattr(obj, self.status_attr)

    def label(self, state: str) -> str:
        return str(self.labels[state])

    def refusal(self, obj: Any, user: Any, step: Step | None) -> Any:
        """Why ``user`` may not take ``step`` on ``obj`` now (None: they may)."""
        if step is None or self.status_of(obj) not in step.sources:
            return self.not_possible
        if step.sides and self.side_of(user) not in step.sides:
            return self.not_possible
        if not all(user.has_function(code) for code in step.functions):
            return self.not_possible
        if step.guard is not None:
            return step.guard(obj, user)
        return None

    def available(self, obj: Any, user: Any) -> list[Step]:
        """The steps ``user`` may take on ``obj`` now, in declaration order."""
        return [s for s in self.steps if self.refusal(obj, user, s) is None]

    def form_class(self, step: Step) -> type[BaseForm]:
        """A form that parses the step's inputs and the record's version."""
        attrs: dict[str, Any] = {"version": VersionField()}
        for item in step.inputs:
            attrs[item.name] = item.field()
        return type(f"{step.action.title()}StepForm", (BaseForm,), attrs)

    # ------------------------------------------------------------------ writing

    def fire(
        self,
        obj: Any,
        action: str,
        by: Any,
        version: int | None,
        given: Mapping[str, Any] | None = None,
        *,
        confirmed: bool = False,
    ) -> Step:
        """Take a step: check everything, then change, record, audit, commit, notify.

        Raises ``Conflict`` (stale version), ``self.error`` (a ``RuleError``: refused, with
        the field the message belongs to) or ``ConfirmationNeeded``; in each case nothing
        changed."""
        return self.take(obj, action, by, version, given, confirmed=confirmed).step

    def take(
        self,
        obj: Any,
        action: str,
        by: Any,
        version: int | None,
        given: Mapping[str, Any] | None = None,
        *,
        confirmed: bool = False,
    ) -> Firing:
        """``fire``, returning the whole ``Firing`` (its ``result``: what the step made)."""
        given = dict(given or {})
        step = self.step(action)
        ensure_current(obj, version)  # a stale page first: its step may be gone already
        reason = self.refusal(obj, by, step)
        if reason is not None or step is None:
            raise self.error(reason or self.not_possible)
        for item in step.inputs:
            if item.required and item.is_missing(given.get(item.name)):
                raise self.error(item.missing, field=item.name)
        firing = Firing(obj=obj, step=step, by=by, given=given, old=self.status_of(obj))
        for check in step.checks:
            check(firing)
        if step.confirm and not confirmed:
            raise ConfirmationNeeded(step)
        # Everything was checked: from here on the record changes.
        stamp(obj, by)
        if step.apply is not None:
            step.apply(firing)
        firing.new = step.target_of(firing)
        setattr(obj, self.status_attr, firing.new)
        if self.record_event is not None:
            self.record_event(firing)
        audit.record(
            f"{self.name}.{step.action}", obj=obj, user=by, details=f"{firing.old} -> {firing.new}"
        )
        commit(obj)
        for hook in self.after_commit:
            try:
                hook(firing)
            except Exception:  # noqa: BLE001 - the step is saved; say it in the log
                log.exception("%s.%s: after-commit hook failed", self.name, step.action)
        return firing

    def submit(self, obj: Any, action: str, by: Any, formdata: Mapping[str, Any]) -> Outcome:
        """Parse the posted step, fire it, and say what to draw (never raises a rule)."""
        step = self.step(action)
        if step is None:
            return Outcome(
                status=404,
                posted=Posted(action[:40], {}, {"form": str(self.not_possible)}, obj.version),
            )
        form = self.form_class(step)(formdata=formdata)
        typed = {
            item.name: str(formdata.get(item.name, ""))[: item.max_length or TEXT_MAX]
            for item in step.inputs
        }
        if not form.validate():
            errors = {name: " ".join(errs) for name, errs in form.errors.items()}
            version = form.version.data if isinstance(form.version.data, int) else obj.version
            return Outcome(status=422, step=step, posted=Posted(action, typed, errors, version))
        given = {item.name: item.value(form[item.name]) for item in step.inputs}
        try:
            firing = self.take(
                obj,
                action,
                by,
                form.version.data,
                given,
                confirmed=formdata.get(CONFIRMED_FIELD) == "1",
            )
        except Conflict as exc:
            saved = {}
            for item in step.inputs:
                before = item.saved(obj) if item.saved else None
                if before is not None and before != typed[item.name] and typed[item.name]:
                    saved[item.name] = before
            posted = Posted(action, typed, {}, exc.current_version, saved)
            if self.refusal(obj, by, step) is not None:
                # the step went away with the other change: say why, next to what was typed
                posted.errors["form"] = str(self.gone) % {
                    "action": step.label,
                    "status": self.label(self.status_of(obj)),
                }
            return Outcome(status=409, step=step, posted=posted, conflict=exc)
        except ConfirmationNeeded:
            return Outcome(
                status=200, step=step, posted=Posted(action, typed, {}, obj.version), pending=step
            )
        except RuleError as exc:
            posted = Posted(action, typed, {exc.field or "form": str(exc)}, obj.version)
            return Outcome(status=422, step=step, posted=posted)
        return Outcome(status=200, step=step, done=True, result=firing.result)


@dataclass
class Posted:
    """What was typed in one step's form and the messages, drawn again (never reset)."""

    action: str
    values: dict[str, str]
    errors: dict[str, str]
    version: int
    #: The saved value beside each typed value that differs (after a conflict).
    saved: dict[str, str] = field(default_factory=dict)


@dataclass
class Outcome:
    """The result of a posted step, for the route and the macro."""

    status: int
    step: Step | None = None
    done: bool = False
    posted: Posted | None = None
    #: The irreversible step to confirm (no-JavaScript path), what was typed kept.
    pending: Step | None = None
    conflict: Conflict | None = None
    #: What a done step made (``Firing.result``), e.g. the new record to go to.
    result: Any = None


def transitions(workflow: Workflow) -> set[tuple[str, str, str]]:
    """Every (source, action, target) arrow with a fixed target: for tests and docs."""
    return {
        (source, step.action, step.target)
        for step in workflow.steps
        for source in step.sources
        if isinstance(step.target, str)
    }


def states_where(workflow: Workflow, predicate: Callable[[str], bool]) -> tuple[str, ...]:
    """The states (in declaration order) that satisfy ``predicate``."""
    return tuple(s.value for s in workflow.states if predicate(s.value))


def open_states(workflow: Workflow) -> tuple[str, ...]:
    """The states some step leaves: a record in one of them still has work ahead."""
    leaving = {source for step in workflow.steps for source in step.sources}
    return states_where(workflow, lambda s: s in leaving)


def all_codes(workflows: Iterable[Workflow]) -> set[str]:
    """Every audit action the workflows write (for the Admin-Logs labels)."""
    return {f"{w.name}.{s.action}" for w in workflows for s in w.steps}
