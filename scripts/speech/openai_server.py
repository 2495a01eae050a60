#!/usr/bin/env python3
"""A small OpenAI-compatible transcription server, for testing efterhand's HTTP speech engine.

    .venv-speech/bin/python scripts/speech/openai_server.py --port 8765 \
        [--api-key KEY] [--fail-first N] [--retry-after S] [--model DIR]

Serves `POST /v1/audio/transcriptions` as whisper.cpp's server, speaches, LocalAI and vLLM do:
multipart/form-data with `file`, `model` (any name is accepted), `language` (empty or auto to
detect), `prompt` (words to expect), `response_format` (`json`, the default: {"text"}; `verbose_json`: {"task", "text",
"language", "duration", "segments": [{"id", "start", "end", "text", "avg_logprob",
"no_speech_prob", "compression_ratio"}]}; `text`; `srt`; `vtt`) and
`timestamp_granularities[]` (`word` adds "words" to verbose_json). Also `GET /v1/models` and
`GET /health`. The faster-whisper model is loaded once, before the server listens; requests
are decoded one at a time.

Errors are OpenAI's JSON shape {"error": {"message", "type", "param", "code"}}: 401 without
the right `Authorization: Bearer KEY` (when --api-key is given), 400 for a bad form or audio,
411/413 for a missing or too large body, 415 for a body that is not multipart/form-data.
`--fail-first N` answers the first N transcription requests with 503, so a client's retry
with backoff can be tested. It binds 127.0.0.1 only and prints
"listening on http://127.0.0.1:PORT" once ready (use --port 0 for any free port).
"""

from __future__ import annotations

import argparse
import email.parser
import email.policy
import hmac
import io
import json
import sys
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
import speech_engine  # noqa: E402
from speech_engine import EngineError  # noqa: E402

TRANSCRIPTIONS = "/v1/audio/transcriptions"
RESPONSE_FORMATS = ("json", "verbose_json", "text", "srt", "vtt")
DEFAULT_MAX_BYTES = 200 * 1024 * 1024  # about 1.7 hours of 16 kHz mono s16


class RequestError(Exception):
    """An HTTP error to answer with, in OpenAI's error shape."""

    def __init__(self, status: HTTPStatus, message: str, param: str | None = None,
                 kind: str = "invalid_request_error", code: str | None = None):
        super().__init__(message)
        self.status, self.message, self.param, self.kind, self.code = status, message, param, kind, code


class Engine:
    """The loaded model, a lock that keeps decoding to one request at a time (two cores), and
    the count of 503 answers still owed to --fail-first."""

    def __init__(self, model_dir: Path, api_key: str | None, fail_first: int, retry_after: int | None):
        started = time.monotonic()
        self.model = speech_engine.load_model(model_dir)
        self.load_seconds = time.monotonic() - started
        self.model_name = model_dir.name
        self.api_key = api_key
        self.retry_after = retry_after
        self._failures_left = fail_first
        self._counter_lock = threading.Lock()
        self._decode_lock = threading.Lock()

    def take_failure(self) -> bool:
        """True while --fail-first still owes a 503; each call uses one up."""
        with self._counter_lock:
            if self._failures_left > 0:
                self._failures_left -= 1
                return True
            return False

    def transcribe(self, audio: bytes, filename: str, language: str | None, words: bool, prompt: str | None = None):
        with self._decode_lock:
            return speech_engine.transcribe(self.model, io.BytesIO(audio), language,
                                            name=filename, word_timestamps=words, prompt=prompt)


def parse_form(content_type: str, body: bytes) -> tuple[dict[str, list[str]], dict[str, tuple[str, bytes]]]:
    """Splits a multipart/form-data body into text fields and files, with the stdlib email
    parser (cgi is deprecated). Returns ({name: [values]}, {name: (filename, bytes)})."""
    header = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(header + body)
    if not message.is_multipart():
        raise RequestError(HTTPStatus.BAD_REQUEST, "The body is not a valid multipart/form-data body.")
    fields: dict[str, list[str]] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not name:
            continue
        payload = part.get_payload(decode=True) or b""
        filename = part.get_filename()
        if filename is not None:
            files[name] = (filename, payload)
        else:
            fields.setdefault(name, []).append(payload.decode("utf-8", errors="replace").strip())
    return fields, files


def first(fields: dict[str, list[str]], name: str, default: str = "") -> str:
    values = fields.get(name)
    return values[0] if values else default


class Handler(BaseHTTPRequestHandler):
    """One request: GET for health and models, POST for transcriptions."""

    protocol_version = "HTTP/1.1"
    server_version = "efterhand-speech-test/1"
    engine: Engine  # set on the class by main()
    max_bytes: int = DEFAULT_MAX_BYTES

    # MARK: - Routes

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/health":
            self.send_json(HTTPStatus.OK, {"status": "ok"})
        elif path == "/v1/models":
            self.send_json(HTTPStatus.OK, {"object": "list", "data": [
                {"id": self.engine.model_name, "object": "model", "owned_by": "efterhand"}]})
        else:
            self.send_error_json(RequestError(HTTPStatus.NOT_FOUND, f"No route for GET {path}."))

    def do_POST(self) -> None:
        path = urlsplit(self.path).path
        try:
            # Read the whole body first, whatever the answer: a client still sending its upload
            # when the server answers and closes would see a reset instead of the error.
            body = self.read_body()
            if path != TRANSCRIPTIONS:
                raise RequestError(HTTPStatus.NOT_FOUND, f"No route for POST {path}.")
            self.check_authorization()
            if self.engine.take_failure():
                raise RequestError(HTTPStatus.SERVICE_UNAVAILABLE,
                                   "Failing on purpose (--fail-first); retry later.",
                                   kind="server_error", code="fail_first")
            self.transcriptions(body)
        except RequestError as error:
            self.send_error_json(error)

    def transcriptions(self, body: bytes) -> None:
        content_type = self.headers.get("Content-Type", "")
        if not content_type.lower().startswith("multipart/form-data"):
            raise RequestError(HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                               f"Expected multipart/form-data, got '{content_type or 'no Content-Type'}'.")
        fields, files = parse_form(content_type, body)
        if "file" not in files:
            raise RequestError(HTTPStatus.BAD_REQUEST, "Missing the 'file' part.", param="file")
        filename, audio = files["file"]
        if not audio:
            raise RequestError(HTTPStatus.BAD_REQUEST, f"The file '{filename}' is empty.", param="file")
        response_format = first(fields, "response_format", "json")
        if response_format not in RESPONSE_FORMATS:
            raise RequestError(HTTPStatus.BAD_REQUEST,
                               f"Unknown response_format '{response_format}': use one of "
                               f"{', '.join(RESPONSE_FORMATS)}.", param="response_format")
        granularities = fields.get("timestamp_granularities[]", []) + fields.get("timestamp_granularities", [])
        try:
            language = speech_engine.normalize_language(first(fields, "language"))
        except EngineError as error:
            raise RequestError(HTTPStatus.BAD_REQUEST, str(error), param="language") from error
        try:
            transcript = self.engine.transcribe(audio, filename, language, words="word" in granularities,
                                                prompt=first(fields, "prompt") or None)
        except EngineError as error:
            raise RequestError(HTTPStatus.BAD_REQUEST, str(error), param="file") from error
        self.send_transcript(transcript, response_format)

    # MARK: - Responses

    def send_transcript(self, transcript: speech_engine.Transcript, response_format: str) -> None:
        if response_format == "json":
            self.send_json(HTTPStatus.OK, {"text": transcript.text()})
        elif response_format == "verbose_json":
            segments = [{"id": number, **segment} for number, segment in enumerate(transcript.segments)]
            self.send_json(HTTPStatus.OK, {
                "task": "transcribe", "text": transcript.text(), "language": transcript.language,
                "duration": round(transcript.duration, 3), "segments": segments})
        elif response_format == "text":
            self.send_body(HTTPStatus.OK, "text/plain; charset=utf-8", transcript.text() + "\n")
        elif response_format == "srt":
            self.send_body(HTTPStatus.OK, "application/x-subrip; charset=utf-8",
                           speech_engine.to_srt(transcript.segments))
        else:
            self.send_body(HTTPStatus.OK, "text/vtt; charset=utf-8", speech_engine.to_vtt(transcript.segments))

    def send_error_json(self, error: RequestError) -> None:
        headers = {}
        if error.status == HTTPStatus.UNAUTHORIZED:
            headers["WWW-Authenticate"] = 'Bearer realm="efterhand-speech-test"'
        if error.status == HTTPStatus.SERVICE_UNAVAILABLE and self.engine.retry_after is not None:
            headers["Retry-After"] = str(self.engine.retry_after)
        self.send_json(error.status, {"error": {"message": error.message, "type": error.kind,
                                                "param": error.param, "code": error.code}}, headers)

    def send_json(self, status: HTTPStatus, value: dict, headers: dict | None = None) -> None:
        self.send_body(status, "application/json",
                       json.dumps(value, ensure_ascii=False) + "\n", headers)

    def send_body(self, status: HTTPStatus, content_type: str, text: str, headers: dict | None = None) -> None:
        data = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    # MARK: - Request reading

    def check_authorization(self) -> None:
        if self.engine.api_key is None:
            return
        given = self.headers.get("Authorization", "")
        scheme, _, token = given.partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(token.strip().encode(), self.engine.api_key.encode()):
            raise RequestError(HTTPStatus.UNAUTHORIZED,
                               "Missing or wrong API key: send 'Authorization: Bearer KEY'.",
                               code="invalid_api_key")

    def read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self.read_chunked()
        length = self.headers.get("Content-Length")
        if length is None:
            self.close_connection = True
            raise RequestError(HTTPStatus.LENGTH_REQUIRED, "Send Content-Length or a chunked body.")
        try:
            size = int(length)
        except ValueError:
            self.close_connection = True
            raise RequestError(HTTPStatus.BAD_REQUEST, f"Bad Content-Length '{length}'.") from None
        if size > self.max_bytes:
            self.close_connection = True
            raise RequestError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                               f"The body has {size} bytes; the limit is {self.max_bytes}.")
        return self.rfile.read(size)

    def read_chunked(self) -> bytes:
        chunks, total = [], 0
        while True:
            line = self.rfile.readline(1024)
            try:
                size = int(line.split(b";")[0].strip(), 16)
            except ValueError:
                self.close_connection = True
                raise RequestError(HTTPStatus.BAD_REQUEST, "Bad chunk size in a chunked body.") from None
            if size == 0:
                while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(chunks)
            total += size
            if total > self.max_bytes:
                self.close_connection = True
                raise RequestError(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                                   f"The body has more than {self.max_bytes} bytes.")
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)  # the CRLF after each chunk


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Serve faster-whisper behind an OpenAI-compatible API, for tests.")
    parser.add_argument("--port", type=int, default=8765, help="Port on 127.0.0.1; 0 picks a free one.")
    parser.add_argument("--model", default="", help=f"CTranslate2 Whisper folder; empty means {speech_engine.DEFAULT_MODEL_DIR}.")
    parser.add_argument("--api-key", default=None, help="Require 'Authorization: Bearer KEY' on transcriptions.")
    parser.add_argument("--fail-first", type=int, default=0, metavar="N",
                        help="Answer the first N transcription requests with 503.")
    parser.add_argument("--retry-after", type=int, default=None, metavar="S",
                        help="Send 'Retry-After: S' with those 503 answers.")
    parser.add_argument("--max-bytes", type=int, default=DEFAULT_MAX_BYTES, help="Largest request body accepted.")
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    arguments = parse_arguments(argv)
    try:
        engine = Engine(Path(arguments.model or speech_engine.DEFAULT_MODEL_DIR), arguments.api_key,
                        arguments.fail_first, arguments.retry_after)
    except EngineError as error:
        print(f"openai_server: {error}", file=sys.stderr)
        return 1
    Handler.engine = engine
    Handler.max_bytes = arguments.max_bytes
    try:
        server = ThreadingHTTPServer(("127.0.0.1", arguments.port), Handler)
    except OSError as error:
        print(f"openai_server: Unable to listen on 127.0.0.1:{arguments.port}: {error.strerror}", file=sys.stderr)
        return 1
    server.daemon_threads = True
    print(f"openai_server: model {engine.model_name} loaded in {engine.load_seconds:.2f} s; "
          f"listening on http://127.0.0.1:{server.server_address[1]}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
