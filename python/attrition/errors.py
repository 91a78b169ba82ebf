"""The exception hierarchy of attrition.

Every error the library raises on purpose derives from :class:`AttritionError`.
The Rust core raises these same classes.
"""

__all__ = ["AttritionError", "IntegrityError", "ResourceError", "ScenarioError", "ScenarioWarning", "UnknownNameError"]


class AttritionError(Exception):
    """Base class of every attrition error."""


class ScenarioError(AttritionError, ValueError):
    """A scenario broke a rule.

    The message names the parameter's full dotted path and the rule, e.g.
    ``sides.russia.fleets.msta_b.barrel_life: pert needs low <= mode <= high,
    got low=2000, mode=1500, high=3000``. Several problems are listed one per
    line. The rules are in docs/model.md (section 2; ``attrition model`` prints it)
    and the field reference (``attrition schema``).
    """


class ResourceError(AttritionError, MemoryError):
    """A request the engine refuses up front because it would need too much
    memory (or too many days, threads...). The message says how much it would
    need and what to change."""


class UnknownNameError(AttritionError, KeyError):
    """A series, outcome, parameter or scenario name that does not exist.

    A ``KeyError``, so ``except KeyError`` catches it; its message lists the
    closest names (``did you mean ...?``) and prints as plain text.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if len(self.args) == 1 else super().__str__()


class IntegrityError(AttritionError, ValueError):
    """Serialised data that attrition refuses to read back: a pickle or a summary
    blob that is truncated, corrupted (its checksum does not match), of another
    kind, or in a format this version cannot read; or parts that cannot be merged
    (another scenario, seed or library version, overlapping trajectories). The
    message names the check that failed."""


class ScenarioWarning(UserWarning):
    """A scenario value that validates but is almost surely a mistake.

    The message names the parameter's dotted path, what looks wrong and why, e.g.
    ``sides.russia.supply.domestic_152.growth: 30 is a yearly growth of +3000%
    (compounded daily); write a share, 0.3 for +30 % a year``.
    :meth:`attrition.Scenario.warnings` lists them; ``attrition validate --strict``
    treats them as errors.
    """
