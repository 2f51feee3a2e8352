"""NTLM / Negotiate logon against mapish with pyspnego (a client we did not write), over ONE persistent
HTTP/1.1 connection, as IIS-style connection-oriented authentication requires.

Usage: ntlm_client.py URL USER PASSWORD PROTOCOL BODY_FILE
  PROTOCOL: ntlm | negotiate | negotiate-kerberos-only | basic | requests-ntlm
  BODY_FILE: the MAPI request body (a Connect) sent with every step.

Prints one JSON object: the schemes offered by the anonymous 401, the status of each step, the final
status and X-ResponseCode, whether pyspnego completed the context (it verifies our mechListMIC), whether
every request went over the same TCP connection, and the status/X-ResponseCode of a second request on that
connection without an Authorization header.
"""

import base64
import http.client
import json
import sys
import urllib.parse

import spnego


def with_requests_ntlm(url, user, password, body):
    # requests-ntlm 1.3.0 (HttpNtlmAuth): requests drives the 401 → NEGOTIATE → CHALLENGE → AUTHENTICATE
    # itself on one pooled connection.
    import requests
    from requests_ntlm import HttpNtlmAuth

    headers = {
        "Content-Type": "application/mapi-http",
        "X-RequestType": "Connect",
        "X-RequestId": "{E2EA6C1C-E61B-49E9-9CFB-38184F907552}:1",
        "X-ClientInfo": "{2F94A2BF-A2E6-4CCC-BF98-B5F22C542226}",
    }
    with requests.Session() as s:
        r = s.post(url, data=body, headers=headers, auth=HttpNtlmAuth(user, password), timeout=30)
        return {
            "steps": [h.status_code for h in r.history] + [r.status_code],
            "final_status": r.status_code,
            "final_response_code": r.headers.get("X-ResponseCode"),
        }


def main():
    url, user, password, protocol, body_file = sys.argv[1:6]
    body = open(body_file, "rb").read()
    if protocol == "requests-ntlm":
        print(json.dumps(with_requests_ntlm(url, user, password, body)))
        return
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
    scheme = "NTLM" if protocol == "ntlm" else "Negotiate"
    result = {"steps": []}
    sockets = set()
    counter = [0]

    def send(authorization):
        counter[0] += 1
        headers = {
            "Content-Type": "application/mapi-http",
            "X-RequestType": "Connect",
            "X-RequestId": "{E2EA6C1C-E61B-49E9-9CFB-38184F907552}:%d" % counter[0],
            "X-ClientInfo": "{2F94A2BF-A2E6-4CCC-BF98-B5F22C542226}",
            "X-ClientApplication": "Outlook/15.0.4815.1002",
        }
        if authorization:
            headers["Authorization"] = authorization
        target = u.path + ("?" + u.query if u.query else "")
        conn.request("POST", target, body=body, headers=headers)
        sockets.add(conn.sock.getsockname())
        r = conn.getresponse()
        r.read()
        return r

    def tokens(r):
        out = []
        for v in r.headers.get_all("WWW-Authenticate") or []:
            parts = v.split(" ", 1)
            if parts[0].lower() == scheme.lower() and len(parts) == 2:
                out.append(base64.b64decode(parts[1].strip()))
        return out

    r = send(None)
    result["anonymous_status"] = r.status
    result["offered"] = [v.split(" ")[0] for v in (r.headers.get_all("WWW-Authenticate") or [])]

    if protocol == "basic":
        creds = base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
        r = send("Basic " + creds)
        result["steps"].append(r.status)
        result["final_status"] = r.status
        result["final_response_code"] = r.headers.get("X-ResponseCode")
        print(json.dumps(result))
        return

    if protocol == "negotiate-kerberos-only":
        # A SPNEGO NegTokenInit offering only Kerberos (krb5 and MS krb5 OIDs), as a domain-joined client
        # without NTLM would send: hand-built, since no KDC is available here.
        krb = bytes.fromhex("06092a864886f712010202")
        mskrb = bytes.fromhex("06092a864882f712010202")
        mechs = b"\x30" + bytes([len(krb + mskrb)]) + mskrb + krb
        body_ = b"\xa0" + bytes([len(mechs)]) + mechs
        seq = b"\x30" + bytes([len(body_)]) + body_
        inner = bytes.fromhex("06062b0601050502") + b"\xa0" + bytes([len(seq)]) + seq
        token = b"\x60" + bytes([len(inner)]) + inner
        r = send("Negotiate " + base64.b64encode(token).decode())
        result["steps"].append(r.status)
        result["final_status"] = r.status
        result["final_offered"] = [v.split(" ")[0] for v in (r.headers.get_all("WWW-Authenticate") or [])]
        print(json.dumps(result))
        return

    ctx = spnego.client(user, password, hostname=u.hostname, service="HTTP", protocol=protocol)
    out = ctx.step()
    while True:
        r = send("%s %s" % (scheme, base64.b64encode(out).decode()))
        result["steps"].append(r.status)
        got = tokens(r)
        if r.status == 401 and got and not ctx.complete:
            out = ctx.step(got[0])
            if out is None:
                break
            continue
        if r.status == 200 and got and not ctx.complete:
            # Negotiate's final token: pyspnego checks the server's mechListMIC here.
            ctx.step(got[0])
        break
    result["final_status"] = r.status
    result["final_response_code"] = r.headers.get("X-ResponseCode")
    result["context_complete"] = bool(ctx.complete)

    if r.status == 200:
        again = send(None)
        result["again_status"] = again.status
        result["again_response_code"] = again.headers.get("X-ResponseCode")
    result["same_connection"] = len(sockets) == 1
    print(json.dumps(result))


if __name__ == "__main__":
    main()
