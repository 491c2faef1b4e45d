/**
 * Azure's ClientCertificate outbound authentication takes a base64 PFX and its password and answers
 * with the certificate's thumbprint, expiration and subject, never the PFX or password. sked keeps only
 * those three facts (see the README: its http steps do not present client certificates).
 */

import { X509Certificate } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import { badRequest } from './azure-api-error.js';

export interface CertificateFacts {
  certificateThumbprint: string;
  certificateExpiration: string;
  certificateSubjectName: string;
}

export function certificateFacts(pfxBase64: string, password: string | undefined, pointer: string): CertificateFacts {
  let der: Buffer | null | undefined;
  try {
    const context = createSecureContext({ pfx: Buffer.from(pfxBase64, 'base64'), ...(password !== undefined ? { passphrase: password } : {}) });
    // The loaded certificate is only reachable through the native context (as tls sockets read it).
    der = (context.context as { getCertificate?: () => Buffer | null }).getCertificate?.();
  } catch (err) {
    throw badRequest(`${pointer}/pfx`, `cannot be read as a PKCS#12 file with this password (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!der) throw badRequest(`${pointer}/pfx`, 'holds no certificate');
  const cert = new X509Certificate(der);
  return {
    certificateThumbprint: cert.fingerprint.replace(/:/g, ''),
    certificateExpiration: new Date(cert.validTo).toISOString(),
    certificateSubjectName: cert.subject.split('\n').join(', '),
  };
}
