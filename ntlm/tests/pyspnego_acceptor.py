"""An NTLM / Negotiate acceptor from pyspnego (a server we did not write), for ntlm/tests/pyspnego.rs.

Reads one base64 token per line from stdin and answers one JSON line per token:
{"token": <base64 or null>, "complete": bool, "user": <client principal or null>, "error": <text or null>}.
Arguments: protocol (ntlm | negotiate) and the NTLM_USER_FILE path (DOMAIN:USER:PASSWORD lines).
"""
import base64
import json
import os
import sys

protocol, user_file = sys.argv[1], sys.argv[2]
os.environ["NTLM_USER_FILE"] = user_file
import spnego  # noqa: E402  (after NTLM_USER_FILE is set)

ctx = spnego.server(protocol=protocol)
for line in sys.stdin:
    token = base64.b64decode(line.strip())
    try:
        out = ctx.step(token)
        answer = {
            "token": base64.b64encode(out).decode() if out else None,
            "complete": ctx.complete,
            "user": ctx.client_principal if ctx.complete else None,
            "error": None,
        }
    except Exception as e:  # the refusal is the finding
        answer = {"token": None, "complete": False, "user": None, "error": f"{type(e).__name__}: {e}"}
    print(json.dumps(answer), flush=True)
    if answer["complete"] or answer["error"]:
        break
