// Shared by the SAML tests: the tenant's signing certificate (x5c of rsa-1) as PEM, and
// xml-crypto's verdict on every XML-DSig signature of a document.
import assert from 'node:assert/strict';
import { SignedXml } from 'xml-crypto';
import { DOMParser } from '@xmldom/xmldom';
import xpath from 'xpath';
import { tenant } from './helpers.mjs';

const x5c = tenant.signing_keys[0].x5c[0];
export const CERT = `-----BEGIN CERTIFICATE-----\n${x5c.match(/.{1,64}/g).join('\n')}\n-----END CERTIFICATE-----\n`;

/** True when `xml` has signatures and each one verifies (one reference each) with CERT. */
export function xmlCryptoVerifies(xml) {
  const doc = new DOMParser().parseFromString(xml, 'text/xml');
  const signatures = xpath.select("//*[local-name(.)='Signature' and namespace-uri(.)='http://www.w3.org/2000/09/xmldsig#']", doc);
  assert.ok(signatures.length > 0, 'the document has no signature');
  return signatures.every((s) => {
    const sx = new SignedXml({ publicCert: CERT });
    sx.loadSignature(s);
    try {
      return sx.checkSignature(xml) && sx.getSignedReferences().length === 1;
    } catch {
      return false;
    }
  });
}
