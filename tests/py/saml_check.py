"""Judges SAML documents with signxml and lxml (independent of the JS peers).

stdin: {"cert": "<PEM>", "docs": ["<xml>", ...]}
stdout: one result per document: {"c14n_unchanged", "signatures", "tampered_rejected"}:
- c14n_unchanged: lxml's exclusive c14n of the document is byte-identical to it;
- signatures: how many enveloped signatures signxml verified (the root's, and the embedded
  Assertion's when the root is a samlp:Response), each with the certificate given;
- tampered_rejected: with one byte of the NameID changed, signxml refuses every signature.
"""

import json
import sys

from lxml import etree
from signxml import XMLVerifier
from signxml.exceptions import InvalidSignature, InvalidDigest

SAML = "urn:oasis:names:tc:SAML:2.0:assertion"


def signed_elements(root):
    """The root, and its Assertion child when the root is a Response."""
    out = [root]
    out += root.findall("{%s}Assertion" % SAML) if root.tag.endswith("}Response") else []
    return out


def verify_all(xml, cert):
    root = etree.fromstring(xml.encode())
    n = 0
    for el in signed_elements(root):
        # Verify each element on its own, as its receiver would: the element and its subtree.
        standalone = etree.tostring(el)
        XMLVerifier().verify(standalone, x509_cert=cert)
        n += 1
    return n


def main():
    req = json.load(sys.stdin)
    cert = req["cert"]
    results = []
    for xml in req["docs"]:
        c14n = etree.tostring(etree.fromstring(xml.encode()), method="c14n", exclusive=True).decode()
        signatures = verify_all(xml, cert)
        start = xml.index("<saml:NameID")
        at = xml.index(">", start) + 1
        flipped = "X" if xml[at] != "X" else "Y"
        tampered = xml[:at] + flipped + xml[at + 1 :]
        refused = 0
        root = etree.fromstring(tampered.encode())
        for el in signed_elements(root):
            try:
                XMLVerifier().verify(etree.tostring(el), x509_cert=cert)
            except (InvalidSignature, InvalidDigest):
                refused += 1
        results.append(
            {"c14n_unchanged": c14n == xml, "signatures": signatures, "tampered_rejected": refused == len(signed_elements(root))}
        )
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
