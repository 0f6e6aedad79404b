"""`schedcu amion-sim`: run the local Amion simulator until interrupted.

The access code comes from `--code`, else SCHEDCU_AMION_CODE, else `demo`; it is never printed.
It stops on SIGINT (Ctrl-C) and SIGTERM alike, also when started in the background (`&`), where
the shell has it ignore SIGINT: the handlers are installed explicitly.
"""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    sim = subparsers.add_parser(
        "amion-sim",
        help="serve a roster and a schedule as a local Amion on 127.0.0.1",
        description="A local Amion for trying schedcu and for tests (AMION.md's contract).",
    )
    sim.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    sim.add_argument("--roster", required=True, help="roster YAML (AMION.md)")
    sim.add_argument("--schedule", required=True, help="CSV date,position,name,start,end")
    sim.add_argument(
        "--code",
        help="access code to accept (default: SCHEDCU_AMION_CODE, else 'demo'); prefer the "
        "variable for a real code, as other users of the machine can see a command line",
    )
    sim.add_argument("--fail-first", type=int, default=0, metavar="N", help="503 for N requests")
    sim.add_argument("--delay", type=float, default=0.0, metavar="S", help="delay each response")
    sim.add_argument("--truncate", action="store_true", help="cut every export short")
    sim.add_argument("--html-instead", action="store_true", help="an HTML page, not the export")
    sim.add_argument("--tab", action="store_true", help="serve the tab-separated export variant")
    sim.set_defaults(handler=run_simulator)


def run_simulator(args: argparse.Namespace) -> int:
    import signal
    import threading

    from schedcu.amion.roster import load_roster
    from schedcu.amion.schedule_file import load_schedule
    from schedcu.amion.simulator import AmionSimulator, Faults
    from schedcu.config import get_settings
    from schedcu.errors import ConfigurationError

    settings = get_settings()
    code = args.code or (settings.amion_code.get_secret_value() if settings.amion_code else "demo")
    faults = Faults(
        fail_first=args.fail_first,
        delay=args.delay,
        truncate=args.truncate,
        html_instead=args.html_instead,
        tab_separated=args.tab,
    )
    simulator = AmionSimulator(
        roster=load_roster(args.roster),
        schedule=load_schedule(args.schedule),
        code=code,
        port=args.port,
        faults=faults,
    )
    try:
        simulator.start()
    except OSError as exc:
        raise ConfigurationError(
            f"The simulator cannot listen on 127.0.0.1:{args.port} ({exc.strerror}); "
            "choose another --port, or 0 for a free one."
        ) from exc
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda _signum, _frame: stop.set())
    with simulator:
        print(f"Amion simulator serving on {simulator.url} (Ctrl-C to stop)", flush=True)
        stop.wait()
    print("Amion simulator stopped.", flush=True)
    return 0
