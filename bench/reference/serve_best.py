"""Runs the peer in its best configuration: uvloop, httptools, one worker per core, TCP_NODELAY on,
no access log.  Usage: python serve_best.py --port 8000 [--host 127.0.0.1] [--workers N]"""

import argparse
import os
import sys

import uvicorn

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    uvicorn.run(
        "app:app",
        host=args.host,
        port=args.port,
        workers=args.workers,
        loop="uvloop",
        http="nodelay:NoDelayHttpToolsProtocol",
        access_log=False,
        log_level="warning",
        app_dir=os.path.dirname(os.path.abspath(__file__)),
    )
