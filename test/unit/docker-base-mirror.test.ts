// Where the image test's stand-in base comes from (test/docker/base-image.ts): the first Debian mirror in this
// machine's apt sources, in either format apt reads, never the security archive or a third-party repository.
import { describe, expect, it } from 'vitest';
import { debianMirror } from '../docker/base-image.js';

describe('debianMirror', () => {
  it('reads a deb822 .sources file and a one-line sources.list, skipping the security archive and other repositories', () => {
    const deb822 = `Types: deb
URIs: http://deb.debian.org/debian-security
Suites: bookworm-security

Types: deb
URIs: https://deb.nodesource.com/node_20.x
Suites: nodistro

Types: deb
URIs: http://mirror.example.net/debian/
Suites: bookworm bookworm-updates
`;
    expect(debianMirror([deb822])).toBe('http://mirror.example.net/debian');
    const oneLine = `# deb http://commented.example/debian bookworm main
deb [signed-by=/usr/share/keyrings/x.gpg] https://packages.example.com/apt stable main
deb [arch=amd64] http://ftp.example.org/debian bookworm main
`;
    expect(debianMirror([oneLine])).toBe('http://ftp.example.org/debian');
    expect(debianMirror(['deb https://packages.example.com/apt stable main', deb822])).toBe('http://mirror.example.net/debian');
  });

  it('finds none where there is none', () => {
    expect(debianMirror([])).toBeUndefined();
    expect(debianMirror(['deb https://packages.example.com/apt stable main\n'])).toBeUndefined();
  });
});
