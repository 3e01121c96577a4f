"""``python -m minimax_async.testing``: run the emulator until Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from ._emulator import run_emulator
from ._state import TRIGGER_WORDS


def build_parser() -> argparse.ArgumentParser:
    words = "\n".join(f"  {word:<16} {text}" for word, text in TRIGGER_WORDS.items())
    parser = argparse.ArgumentParser(
        prog="python -m minimax_async.testing",
        description="Run a local emulator of the useapi.net MiniMax API v1.",
        epilog="prompt trigger words:\n" + words,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8787, help="port (default 8787; 0: any)")
    parser.add_argument(
        "--speed",
        type=float,
        default=1.0,
        help="virtual clock speed: 60 makes a 2-minute video take 2 seconds (default 1)",
    )
    parser.add_argument(
        "--token", default=None, help="the only bearer token accepted (default: any non-empty)"
    )
    parser.add_argument("--accounts", type=int, default=1, help="accounts to configure (default 1)")
    parser.add_argument("--max-jobs", type=int, default=3, help="maxJobs per account (default 3)")
    parser.add_argument("--seed", type=int, default=None, help="seed for ids and random choices")
    parser.add_argument(
        "--scheduler-image-field",
        choices=("both", "videoId", "imageId"),
        default="both",
        help="where GET scheduler lists image ids (default both; each is a documented shape)",
    )
    return parser


async def _serve(args: argparse.Namespace) -> None:
    async with run_emulator(
        speed=args.speed,
        token=args.token,
        accounts=args.accounts,
        max_jobs=args.max_jobs,
        seed=args.seed,
        host=args.host,
        port=args.port,
        scheduler_image_field=args.scheduler_image_field,
    ) as emu:
        print(f"MiniMax API emulator listening on {emu.base_url}", flush=True)
        print(f"  export USEAPI_BASE_URL={emu.base_url}", flush=True)
        print(f"  export USEAPI_TOKEN={emu.token}", flush=True)
        print(f"  accounts: {', '.join(emu.state.accounts) or '(none)'}", flush=True)
        print(
            f"  official platform (AsyncMiniMaxPlatform): export MINIMAX_BASE_URL="
            f"{emu.platform_url} MINIMAX_API_KEY={emu.token}",
            flush=True,
        )
        print("Press Ctrl-C to stop.", flush=True)
        await asyncio.Event().wait()


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.speed < 0:
        print("--speed must be >= 0", file=sys.stderr)
        return 2
    if args.max_jobs < 1:
        print("--max-jobs must be >= 1", file=sys.stderr)
        return 2
    try:
        asyncio.run(_serve(args))
    except KeyboardInterrupt:
        print("\nstopped", flush=True)
        return 0
    except OSError as exc:
        print(f"cannot start the emulator: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
