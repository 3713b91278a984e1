/**
 * Why the emulator cannot listen on host:port, and the fix, from the error `listen` gave: each cause its own text (a
 * host that does not resolve is not "pick another --port"). `flag` names the option that chose the port.
 */
export function explainListenError(error: NodeJS.ErrnoException, host: string, port: number, flag = '--port'): string {
  const where = `${host}:${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return `cannot listen on ${where}: the port is already in use. Fix: pick another ${flag} (0 picks a free one), or stop what uses it`;
    case 'EACCES':
    case 'EPERM':
      return port < 1024
        ? `cannot listen on ${where}: ports below 1024 need privileges this user does not have. Fix: use a port of 1024 or more, such as the default 4010`
        : `cannot listen on ${where}: this user is not allowed to (${error.code}). Fix: pick another ${flag}, or check the security policy (SELinux, AppArmor, container capabilities)`;
    case 'EADDRNOTAVAIL':
      return `cannot listen on ${where}: ${host} is not an address of this machine. Fix: use 127.0.0.1 (this machine only), 0.0.0.0 (every interface, as in a container) or one of this machine's own addresses`;
    case 'ENOTFOUND':
    case 'EAI_NONAME':
    case 'EAI_NODATA':
      return `cannot listen on ${where}: the host name ${host} does not resolve to an address. Fix: give --host an IP address (127.0.0.1, or 0.0.0.0 for every interface) or a name this machine resolves, such as localhost`;
    case 'EAI_AGAIN':
      return `cannot listen on ${where}: the host name ${host} could not be resolved right now (DNS did not answer). Fix: give --host an IP address (127.0.0.1 or 0.0.0.0), or retry once DNS works`;
    case 'EAFNOSUPPORT':
      return `cannot listen on ${where}: this machine has no IPv6 for ${host}. Fix: use 0.0.0.0 or 127.0.0.1`;
    default:
      return `cannot listen on ${where} (${error.code ?? 'error'}: ${error.message}). Fix: check --host and ${flag}`;
  }
}
