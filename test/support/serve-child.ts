/** `l2lab serve --port 0 --token-file F` of this checkout in a child process: what the ask/tell doors test and bench:tune's PyTorch rows start. */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ServeChild {
  /** The server's base URL, e.g. http://127.0.0.1:PORT/. */
  url: string;
  /** What it printed until it listened: the address, the API's, and the token when it made one. */
  banner: string;
  /** Sends SIGTERM; resolves with its exit code. */
  stop: () => Promise<number | null>;
}

/** Starts the server on a free port over `storage`, resolving once it listens; `extra` flags go after the token file. */
export async function startServeChild(storage: string, tokenFile: string, extra: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): Promise<ServeChild> {
  const args = ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--storage', storage, '--port', '0', '--token-file', tokenFile, ...extra];
  const child = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  let banner = '';
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      banner += chunk.toString();
      const m = /API: (http:\/\/\S+?)api\/v1\//.exec(banner);
      if (m) resolve(m[1]);
    });
    void exited.then((code) => reject(new Error(`l2lab serve exited (${code}) before listening:\n${banner}`)));
  });
  return { url, banner, stop: () => (child.kill('SIGTERM'), exited) };
}
