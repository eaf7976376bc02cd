"""The sockets each server process serves now, on every host that shares this Redis."""

from django.core.management.base import BaseCommand

from live import viewers


class Command(BaseCommand):
    help = (
        "Lists each live server process (host, pid) with its trainee screens, control pages "
        f"and sessions, as it last reported them (on each screen's arrival or departure, and "
        f"every 20 s; a process gone drops out within {viewers.VIEWER_TTL} s)."
    )

    def handle(self, *args, **options):
        processes = viewers.processes()
        if not processes:
            self.stdout.write("No server process has sockets.")
            return
        self.stdout.write(self.table(processes))

    @staticmethod
    def table(processes: list[dict]) -> str:
        header = ("host", "pid", "screens", "control", "sessions", "state", "reported at")
        rows = [header] + [
            (
                p["host"],
                str(p["pid"]),
                str(p["screens"]),
                str(p["control_pages"]),
                str(p["sessions"]),
                "draining" if p["draining"] else "serving",
                p["at"],
            )
            for p in sorted(processes, key=lambda p: (p["host"], p["pid"]))
        ]
        rows.append(
            ("total", "", *(str(sum(p[key] for p in processes)) for key in ("screens", "control_pages", "sessions")), "", "")
        )
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
        return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows)
