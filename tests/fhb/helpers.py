"""Running management commands as a shell would: exit status, stdout and stderr."""

from dataclasses import dataclass

from django.core.management import CommandError, get_commands, load_command_class


@dataclass
class Run:
    code: int
    out: str
    err: str

    @property
    def last_line(self) -> str:
        return self.out.strip().splitlines()[-1] if self.out.strip() else ""


def run_command(capsys, name: str, *argv: str) -> Run:
    """Like `manage.py NAME ARGV...`: CommandError gives its returncode and message on stderr,
    as BaseCommand.run_from_argv does (without its closing of the test's database connection)."""
    capsys.readouterr()
    command = load_command_class(get_commands()[name], name)
    options = vars(command.create_parser("manage.py", name).parse_args(argv))
    args = options.pop("args", ())
    code = 0
    try:
        command.execute(*args, **options)
    except CommandError as exc:
        command.stderr.write(f"CommandError: {exc}")
        code = exc.returncode
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return Run(code, captured.out, captured.err)
