"""Runs an applied Lambda function's code, as the managed Python runtime would.

The code is the zip the function was created from, read back from the
emulator: ``GetFunction`` names its S3 key, and the zip is taken from the
assets bucket of the function's region that holds that key (its SHA-256 must
equal the function's ``CodeSha256``). It is unpacked under
``<workdir>/edge/lambda/<function>-<sha>/`` and run by ``lambda_bootstrap.py``
in a subprocess with the function's handler, environment (plus the variables
the runtime sets: ``AWS_REGION``, ``AWS_LAMBDA_FUNCTION_NAME``, ...) and
timeout. Inside, boto3 talks to the emulator (``AWS_ENDPOINT_URL``, test
credentials). A worker serves one invocation at a time and is reused (a warm
execution environment); a timed-out worker is killed, as Lambda does. The
function's output goes to ``<workdir>/logs/lambda-<function>.log``.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import io
import json
import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import emulator as emu

BOOTSTRAP = Path(__file__).with_name("lambda_bootstrap.py")


class InvokeError(Exception):
    """The function failed (``kind``: "Unhandled" for an exception, "Timeout" when it ran out of time)."""

    def __init__(self, kind: str, detail: dict[str, Any] | str):
        self.kind, self.detail = kind, detail
        super().__init__(f"{kind}: {detail}")


@dataclass(frozen=True)
class FunctionInfo:
    """An applied function, as the emulator's Lambda API returns it."""

    name: str
    arn: str
    region: str
    handler: str
    runtime: str
    timeout: int
    memory: int
    environment: dict[str, str]
    code_sha256: str
    s3_key: str | None


def describe_function(client: Any, name_or_arn: str) -> FunctionInfo:
    found = client.get_function(FunctionName=name_or_arn)
    config, code = found["Configuration"], found.get("Code", {})
    location = code.get("Location", "")
    s3_key = (
        location.split(".amazonaws.com/", 1)[1]
        if code.get("RepositoryType") == "S3" and ".amazonaws.com/" in location
        else None
    )
    return FunctionInfo(
        name=config["FunctionName"],
        arn=config["FunctionArn"],
        region=config["FunctionArn"].split(":")[3],
        handler=config.get("Handler", ""),
        runtime=config.get("Runtime", ""),
        timeout=int(config.get("Timeout", 3)),
        memory=int(config.get("MemorySize", 128)),
        environment=dict(config.get("Environment", {}).get("Variables", {})),
        code_sha256=config.get("CodeSha256", ""),
        s3_key=s3_key,
    )


def fetch_code(s3: Any, function: FunctionInfo) -> bytes:
    """The zip at the function's S3 key in the bucket of its region that holds it (assets buckets first)."""
    if not function.s3_key:
        raise InvokeError("Runtime.InvalidCode", f"{function.name}: the emulator names no S3 key for its code")
    names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    names.sort(key=lambda n: ("assets" not in n, n))
    for bucket in names:
        try:
            if (s3.get_bucket_location(Bucket=bucket).get("LocationConstraint") or "us-east-1") != function.region:
                continue
            body = s3.get_object(Bucket=bucket, Key=function.s3_key)["Body"].read()
        except Exception:
            continue
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
        if function.code_sha256 and digest != function.code_sha256:
            continue
        return body
    raise InvokeError(
        "Runtime.InvalidCode",
        f"{function.name}: no bucket in {function.region} holds {function.s3_key} with its CodeSha256",
    )


class _Worker:
    """One execution environment: a bootstrap process, warm between invocations."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path, log: Path):
        read_fd, write_fd = os.pipe()
        self.log = open(log, "ab")  # noqa: SIM115 - the subprocess writes to it for its whole life; closed in stop()
        self.process = subprocess.Popen(
            [*argv, str(write_fd)],
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            pass_fds=(write_fd,),
        )
        os.close(write_fd)
        self.results = os.fdopen(read_fd, "r")

    def invoke(self, event: Any, request_id: str, timeout: float) -> dict[str, Any]:
        deadline = time.time() + timeout
        assert self.process.stdin is not None
        self.process.stdin.write(
            (json.dumps({"event": event, "requestId": request_id, "deadlineMs": deadline * 1000}) + "\n").encode()
        )
        self.process.stdin.flush()
        box: list[str] = []
        reader = threading.Thread(target=lambda: box.append(self.results.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if reader.is_alive() or not box or not box[0]:
            raise InvokeError(
                "Timeout" if reader.is_alive() else "Runtime.ExitError",
                f"Task timed out after {timeout:.2f} seconds"
                if reader.is_alive()
                else f"the runtime exited with code {self.process.poll()}",
            )
        return json.loads(box[0])

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.results.close()
        self.log.close()


@dataclass
class LambdaRunner:
    """Invokes applied functions by name or ARN; code and configuration read from the emulator."""

    endpoint: str
    workdir: Path
    python: str = sys.executable
    _idle: dict[str, list[_Worker]] = field(default_factory=dict)
    _all: list[_Worker] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _client(self, service: str, region: str) -> Any:
        import boto3

        return boto3.client(
            service,
            endpoint_url=self.endpoint,
            region_name=region,
            aws_access_key_id=emu.ACCESS_KEY,
            aws_secret_access_key=emu.SECRET_KEY,
        )

    def _code_dir(self, function: FunctionInfo) -> Path:
        tag = hashlib.sha256(function.code_sha256.encode()).hexdigest()[:12]
        target = self.workdir / "edge" / "lambda" / f"{function.name}-{tag}"
        if not (target / ".complete").exists():
            if target.exists():
                shutil.rmtree(target)
            target.mkdir(parents=True)
            with zipfile.ZipFile(io.BytesIO(fetch_code(self._client("s3", function.region), function))) as bundle:
                bundle.extractall(target)
            (target / ".complete").write_text(function.code_sha256 + "\n")
        return target

    def environment(self, function: FunctionInfo, task_root: Path) -> dict[str, str]:
        keep = ("PATH", "LANG", "LC_ALL", "HOME", "TMPDIR", "SYSTEMROOT")
        env = {k: v for k, v in os.environ.items() if k in keep}
        env.update(function.environment)
        env.update(
            {
                "_HANDLER": function.handler,
                "LAMBDA_TASK_ROOT": str(task_root),
                "LAMBDA_RUNTIME_DIR": str(BOOTSTRAP.parent),
                "AWS_EXECUTION_ENV": f"AWS_Lambda_{function.runtime}",
                "AWS_REGION": function.region,
                "AWS_DEFAULT_REGION": function.region,
                "AWS_LAMBDA_FUNCTION_NAME": function.name,
                "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
                "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": str(function.memory),
                "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{function.name}",
                "AWS_LAMBDA_LOG_STREAM_NAME": time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex,
                "LOCAL_LAMBDA_FUNCTION_ARN": function.arn,
                "TZ": ":UTC",
                "PYTHONDONTWRITEBYTECODE": "1",
                "PYTHONUNBUFFERED": "1",
                # Inside the function, every AWS call goes to the emulator with its test credentials.
                "AWS_ENDPOINT_URL": self.endpoint,
                "AWS_ACCESS_KEY_ID": emu.ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY": emu.SECRET_KEY,
                "AWS_EC2_METADATA_DISABLED": "true",
            }
        )
        return env

    def invoke(self, name_or_arn: str, event: Any, max_wait: float | None = None) -> Any:
        """The function's result; raises InvokeError when it raised or timed out.

        ``max_wait``: the caller's own timeout (API Gateway's integration timeout). Running past the
        function's timeout is kind "Timeout"; past ``max_wait`` first, "IntegrationTimeout".
        """
        function = describe_function(self._client("lambda", _region_of(name_or_arn)), name_or_arn)
        task_root = self._code_dir(function)
        key = f"{function.arn}:{function.code_sha256}:{hash(json.dumps(function.environment, sort_keys=True))}"
        with self._lock:
            pool = self._idle.setdefault(key, [])
            worker = None
            while pool and worker is None:
                candidate = pool.pop()
                worker = candidate if candidate.alive() else None
        if worker is None:
            log = self.workdir / "logs" / f"lambda-{function.name}.log"
            log.parent.mkdir(parents=True, exist_ok=True)
            worker = _Worker([self.python, "-u", str(BOOTSTRAP)], self.environment(function, task_root), task_root, log)
            with self._lock:
                self._all.append(worker)
        request_id = str(uuid.uuid4())
        wait = function.timeout if max_wait is None else min(function.timeout, max_wait)
        try:
            outcome = worker.invoke(event, request_id, wait)
        except InvokeError as err:
            worker.stop()  # a timed-out environment is not reused
            if err.kind == "Timeout" and wait < function.timeout:
                raise InvokeError("IntegrationTimeout", err.detail) from None
            raise
        with self._lock:
            self._idle[key].append(worker)
        if "error" in outcome:
            raise InvokeError("Unhandled", outcome["error"])
        return outcome.get("result")

    def stop(self) -> None:
        with self._lock:
            workers, self._all, self._idle = self._all, [], {}
        for worker in workers:
            with contextlib.suppress(Exception):
                worker.stop()


def _region_of(name_or_arn: str) -> str:
    parts = name_or_arn.split(":")
    return parts[3] if name_or_arn.startswith("arn:") and len(parts) > 3 else "us-east-1"
