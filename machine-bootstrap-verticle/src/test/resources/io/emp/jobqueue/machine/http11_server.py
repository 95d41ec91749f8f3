"""A minimal asyncio HTTP/1.1 file server: keep-alive by default, closes after a response to a
request that says Connection: close. No Range support (a 200 with the whole file)."""
import asyncio
import os
import sys

ROOT = sys.argv[2]


async def handle(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            headers = {k.strip().lower(): v.strip() for k, v in
                       (line.split(":", 1) for line in lines[1:] if ":" in line)}
            close = headers.get("connection", "").lower() == "close"
            file = os.path.join(ROOT, path.lstrip("/"))
            if method != "GET" or not os.path.isfile(file):
                writer.write(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n")
            else:
                with open(file, "rb") as f:
                    body = f.read()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: "
                             + str(len(body)).encode() + (b"\r\nConnection: close" if close else b"") + b"\r\n\r\n")
                writer.write(body)
            await writer.drain()
            if close:
                break
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(handle, "127.0.0.1", int(sys.argv[1]))
    async with server:
        await server.serve_forever()


asyncio.run(main())
