// What each network error code of a failed POST means, in a few words a receiver's owner can act on. The codes are
// Node's (net, dns, tls) and undici's; an error's own code is tried first, then its cause's.
const NETWORK_CAUSES: Record<string, string> = {
  ECONNREFUSED: 'connection refused (ECONNREFUSED): nothing listens at that host and port',
  ECONNRESET: 'connection reset by the receiver (ECONNRESET)',
  EPIPE: 'connection closed by the receiver while sending (EPIPE)',
  UND_ERR_SOCKET: 'connection closed by the receiver before it answered (UND_ERR_SOCKET)',
  ENOTFOUND: 'DNS: host not found (ENOTFOUND)',
  EAI_AGAIN: 'DNS: lookup failed, try again (EAI_AGAIN)',
  EHOSTUNREACH: 'host unreachable (EHOSTUNREACH)',
  ENETUNREACH: 'network unreachable (ENETUNREACH)',
  ETIMEDOUT: 'connect timeout (ETIMEDOUT)',
  UND_ERR_CONNECT_TIMEOUT: 'connect timeout (UND_ERR_CONNECT_TIMEOUT)',
  UND_ERR_INVALID_ARG: 'the callback URL cannot be requested (UND_ERR_INVALID_ARG)',
  ERR_INVALID_URL: 'the callback URL is not a valid URL (ERR_INVALID_URL)',
};

// Certificate and handshake failures: Node names them by OpenSSL's codes or ERR_TLS_* / ERR_SSL_*.
const TLS_CODE = /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT$|SELF_SIGNED_CERT_IN_CHAIN$|UNABLE_TO_)/;

/**
 * Why one callback attempt failed, short: `HTTP 500`, `timeout after 10000 ms`, `connection refused (ECONNREFUSED):
 * …`, `DNS: host not found (ENOTFOUND)`, `TLS: CERT_HAS_EXPIRED`. `status` is the receiver's answer, if any; `error`
 * what the attempt recorded (a network error code or a timeout), if any.
 */
export function attemptCause(status: number | undefined, error: string | undefined): string {
  if (error === undefined)
    return status === undefined ? 'no answer' : status >= 300 && status < 400 ? `HTTP ${status} (redirects are not followed)` : `HTTP ${status}`;
  const known = NETWORK_CAUSES[error] ?? (TLS_CODE.test(error) ? `TLS: ${error}` : error);
  // A status line came, then the body was cut off: the status alone would read as a success.
  return status === undefined ? known : `HTTP ${status}, then the answer was cut off: ${known}`;
}
