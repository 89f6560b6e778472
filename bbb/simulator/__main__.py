"""``python -m bbb.simulator --host 127.0.0.1 --port 8090 --secret S``"""

from __future__ import annotations

import argparse
import logging

from bbb.simulator.core import Simulator
from bbb.simulator.server import make_sim_server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bbb.simulator", description="BigBlueButton API simulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--secret", required=True, help="shared secret (securitySalt)")
    parser.add_argument("--recording-delay", type=float, default=5.0, help="seconds until a recording is published")
    parser.add_argument("--public-url", default=None, help="URL browsers use to reach this server")
    parser.add_argument("--meeting-expiry", type=float, default=300.0, help="seconds until an unjoined meeting ends")
    parser.add_argument(
        "--checksum-algorithms", default="sha1,sha256,sha384,sha512", help="supportedChecksumAlgorithms"
    )
    parser.add_argument(
        "--profile", choices=("bbb", "scalelite"), default="bbb", help="answer like bbb-web or Scalelite"
    )
    parser.add_argument("--end-delay", type=float, default=0.5, help="seconds until an `end` takes effect")
    parser.add_argument("--get-meetings-disabled", action="store_true", help="Scalelite GET_MEETINGS_API_DISABLED")
    parser.add_argument("--backends", default="bbb-1,bbb-2", help="Scalelite: names of its BBB servers")
    parser.add_argument("--down-backends", default="", help="Scalelite: backends that do not answer")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING)
    public_url = (args.public_url or f"http://{args.host}:{args.port}").rstrip("/")
    sim = Simulator(
        secret=args.secret,
        public_url=public_url,
        recording_delay=args.recording_delay,
        meeting_expiry_seconds=args.meeting_expiry,
        supported_checksum_algorithms=args.checksum_algorithms,
        profile=args.profile,
        end_delay_seconds=args.end_delay,
        get_meetings_disabled=args.get_meetings_disabled,
        backends=args.backends,
        down_backends=args.down_backends,
    )
    server = make_sim_server(sim, args.host, args.port)
    print(
        f"BBB simulator: API {public_url}/bigbluebutton/api/  secret {args.secret!r}  knobs {public_url}/_sim/",
        flush=True,
    )
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
