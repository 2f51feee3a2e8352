"""Parse a mapish Autodiscover reply with exchangelib's POX parser (an independent client).

Usage: python3 autodiscover_exchangelib.py REPLY.xml
Prints one JSON object: the User fields and, per Protocol element, its Version attribute and the
MailStore/AddressBook URLs as exchangelib read them. Exits non-zero if exchangelib rejects the document.
"""

import json
import sys

from exchangelib.autodiscover.properties import Autodiscover


def main(path):
    with open(path, "rb") as f:
        data = f.read()
    ad = Autodiscover.from_bytes(data)
    ad.raise_errors()
    user = ad.response.user
    out = {
        "display_name": user.display_name,
        "legacy_dn": user.legacy_dn,
        "smtp_address": user.autodiscover_smtp_address,
        "deployment_id": user.deployment_id,
        "action": ad.response.account.action,
        "protocols": [],
    }
    for p in ad.response.account.protocols:
        entry = {"version": p.version}
        for name in ("mail_store", "address_book"):
            part = getattr(p, name)
            entry[name] = None if part is None else {
                "internal_url": part.internal_url,
                "external_url": part.external_url,
            }
        out["protocols"].append(entry)
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
