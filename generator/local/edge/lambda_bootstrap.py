"""The local Lambda runtime's worker: ``python lambda_bootstrap.py RESULT_FD``.

Loaded like the Python managed runtime does: ``_HANDLER`` (``module.function``)
imported from ``LAMBDA_TASK_ROOT`` once, then one invocation per line read on
stdin (``{"event": ..., "requestId": ..., "deadlineMs": ...}``); each result
(or ``{"errorMessage", "errorType", "stackTrace"}``) is one JSON line on the
result descriptor. stdout and stderr are the function's log, as in CloudWatch.
Standard library only: it runs inside the function's own environment.
"""

import importlib
import json
import os
import sys
import time
import traceback


class Context:
    def __init__(self, request_id, deadline_ms):
        self.aws_request_id = request_id
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.invoked_function_arn = os.environ.get("LOCAL_LAMBDA_FUNCTION_ARN", "")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.identity = None
        self.client_context = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))


def _error(err):
    return {
        "errorMessage": str(err),
        "errorType": type(err).__name__,
        "stackTrace": traceback.format_tb(err.__traceback__),
    }


def main():
    results = os.fdopen(int(sys.argv[1]), "w", buffering=1)
    sys.path.insert(0, os.environ["LAMBDA_TASK_ROOT"])
    module_name, _, function_name = os.environ["_HANDLER"].rpartition(".")
    try:
        handler = getattr(importlib.import_module(module_name.replace("/", ".")), function_name)
        init_error = None
    except Exception as err:  # Runtime.ImportModuleError / init error: every invocation fails with it
        traceback.print_exc()
        handler, init_error = None, _error(err)
    for line in sys.stdin:
        request = json.loads(line)
        request_id = request["requestId"]
        print(f"START RequestId: {request_id} Version: $LATEST", flush=True)
        started = time.monotonic()
        if init_error is not None:
            outcome = {"error": init_error}
        else:
            try:
                outcome = {"result": handler(request["event"], Context(request_id, request["deadlineMs"]))}
            except Exception as err:
                print(json.dumps({**_error(err), "requestId": request_id}), flush=True)
                outcome = {"error": _error(err)}
        took = (time.monotonic() - started) * 1000
        print(f"END RequestId: {request_id}", flush=True)
        print(f"REPORT RequestId: {request_id}\tDuration: {took:.2f} ms", flush=True)
        sys.stderr.flush()
        try:
            results.write(json.dumps(outcome, default=str) + "\n")
        except (TypeError, ValueError) as err:
            results.write(json.dumps({"error": _error(err)}) + "\n")


if __name__ == "__main__":
    main()
