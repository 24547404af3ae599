"""What an install reports: a refusal (``InstallError``) or a result (``InstallResult``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kepu_server.errors import KepuError

# Why an install was refused; the admin page shows a translated headline for each.
KINDS = ("unsafe", "invalid", "requires", "conflict", "installed", "not_allowed", "not_found",
         "pip")  # fmt: skip


class InstallError(KepuError):
    """An install, upgrade or removal was refused; the instance is as it was before."""

    def __init__(self, kind: str, message: str, problems: list[str] | tuple[str, ...] = ()):
        super().__init__(message)
        self.kind = kind
        self.message = message
        self.problems = list(problems)

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return self.message + "\n" + "\n".join(f"  {p}" for p in self.problems)


@dataclass
class InstallResult:
    """What was installed (or, with ``dry_run``, what would be)."""

    name: str
    kind: str  # pack | folder | pip
    version: str
    action: str  # installed | upgraded | checked
    courses: list[str] = field(default_factory=list)
    previous_version: str | None = None
    needs_restart: bool = False

    def describe(self) -> str:
        what = {"pack": "content pack", "folder": "folder plugin", "pip": "pip plugin"}[self.kind]
        courses = ", ".join(self.courses) or "no courses"
        if self.action == "checked":
            text = f"{what} {self.name} {self.version} is valid and can be installed ({courses})."
        elif self.action == "upgraded":
            text = (
                f"Upgraded {what} {self.name} from {self.previous_version} to {self.version} "
                f"({courses})."
            )
        else:
            text = f"Installed {what} {self.name} {self.version} ({courses})."
        if self.needs_restart and self.action != "checked":
            text += " Restart the server (kepu serve) to load it."
        return text

    def as_dict(self) -> dict:
        return {
            "name": self.name, "kind": self.kind, "version": self.version,
            "action": self.action, "courses": list(self.courses),
            "previous_version": self.previous_version, "needs_restart": self.needs_restart,
        }  # fmt: skip
