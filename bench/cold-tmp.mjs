import { spawn } from 'node:child_process';
import { request } from 'undici';
const body = JSON.stringify({ applicationId: '93de2206-9669-4e07-948d-329f4b722ee2', to: ['+19195551234'], from: '+19195550100', text: 'x' });
const auth = 'Basic ' + Buffer.from('bw-user:bw-password').toString('base64');
const out = [];
for (let i = 0; i < 5; i++) {
  const port = 39200 + i;
  const t = performance.now();
  const child = spawn(process.execPath, ['/work/wt-bench/bin/bandwidth-emulator.js', '--port', String(port)], { stdio: 'ignore' });
  for (const end = performance.now() + 15000; performance.now() < end;) {
    try { const r = await request(`http://127.0.0.1:${port}/users/9900000/messages`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body }); await r.body.dump(); if (r.statusCode === 202) break; } catch { await new Promise(r => setTimeout(r, 2)); }
  }
  out.push(Math.round(performance.now() - t));
  const rss = (await import('node:fs')).readFileSync(`/proc/${child.pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1];
  const st = (await import('node:fs')).readFileSync(`/proc/${child.pid}/stat`, 'utf8'); const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
  out.push(`cpu ${(Number(f[11]) + Number(f[12])) * 10}ms rss ${Math.round(rss/1024)} |`);
  child.kill(); await new Promise(r => child.on('exit', r));
}
console.log(out.join(' '), 'load', (await import('node:os')).loadavg()[0]);
