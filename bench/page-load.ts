/**
 * How long an HTML report takes to open, and pictures of its parts: each page is loaded in headless Chromium
 * (Debian's `chromium`) three times through the DevTools protocol, and the figures printed: the file's size,
 * the load event (navigation start to loadEventEnd) and the first frames painted after it (two animation
 * frames), as medians, and the page's element count. `--shot PAGE|SELECTOR|OUT.png[|HEIGHT[|CLICK]]` also
 * saves a PNG of the first element SELECTOR matches (at most HEIGHT px of it, default 1400; after clicking
 * the element CLICK matches, e.g. a view switch), scrolled into view and painted first (a `--screenshot` of
 * a long page paints only what the window shows, and not at a #fragment). Run by
 * `make screenshots`; not a pass/fail test.
 *
 *   node --experimental-websocket --import tsx bench/page-load.ts docs/report.html ...
 *   node --experimental-websocket --import tsx bench/page-load.ts --shot 'report.html|#overview|o.png'
 *
 * Needs Node's WebSocket client (Node 22, or `--experimental-websocket` on Node 20).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The part of the WHATWG WebSocket this script uses (@types/node 20 does not declare the global). */
interface Socket {
  send(data: string): void;
  close(): void;
  addEventListener(type: 'open' | 'error' | 'close', listener: () => void): void;
  addEventListener(type: 'message', listener: (ev: { data: string }) => void): void;
}
type SocketClass = new (url: string) => Socket;

const RUNS = 3;
const CHROMIUM = process.env['CHROMIUM'] ?? 'chromium';

interface Message {
  id?: number;
  method?: string;
  sessionId?: string;
  result?: Record<string, unknown>;
  error?: { message: string };
  params?: Record<string, unknown>;
}

/** A DevTools protocol connection: calls by id, waits for events by name. */
class Cdp {
  private nextId = 1;
  private readonly pending = new Map<number, (m: Message) => void>();
  private readonly waiters: { method: string; sessionId?: string; resolve: (m: Message) => void }[] = [];

  constructor(private readonly socket: Socket) {
    socket.addEventListener('message', (ev) => {
      const m = JSON.parse(ev.data) as Message;
      if (m.id !== undefined) {
        this.pending.get(m.id)?.(m);
        this.pending.delete(m.id);
        return;
      }
      const i = this.waiters.findIndex((w) => w.method === m.method && w.sessionId === m.sessionId);
      if (i >= 0) this.waiters.splice(i, 1)[0]!.resolve(m);
    });
  }

  call(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Message> {
    const id = this.nextId++;
    return new Promise((resolveCall, reject) => {
      this.pending.set(id, (m) =>
        m.error === undefined ? resolveCall(m) : reject(new Error(m.error.message)),
      );
      this.socket.send(
        JSON.stringify({ id, method, params, ...(sessionId === undefined ? {} : { sessionId }) }),
      );
    });
  }

  once(method: string, sessionId?: string): Promise<Message> {
    return new Promise((resolveEvent) =>
      this.waiters.push({ method, ...(sessionId === undefined ? {} : { sessionId }), resolve: resolveEvent }),
    );
  }
}

async function waitForFile(path: string, ms: number): Promise<string> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8');
      if (text.includes('\n')) return text;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`chromium did not write ${path} within ${ms} ms (is '${CHROMIUM}' installed?)`);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const args = process.argv.slice(2);
const files: string[] = [];
const shots: { page: string; selector: string; out: string; maxHeight: number; click: string | null }[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--shot') {
    const [page, selector, out, height, click] = (args[++i] ?? '').split('|');
    if (page === undefined || selector === undefined || out === undefined) {
      console.error(`page-load: --shot wants PAGE|SELECTOR|OUT.png[|HEIGHT], found '${args[i]}'`);
      process.exit(2);
    }
    shots.push({
      page: resolve(page),
      selector,
      out: resolve(out),
      maxHeight: Number(height === undefined || height === '' ? 1400 : height),
      click: click ?? null,
    });
  } else files.push(resolve(args[i]!));
}
if (files.length === 0 && shots.length === 0) {
  console.error(
    "usage: node --experimental-websocket --import tsx bench/page-load.ts [--shot 'PAGE|SELECTOR|OUT.png'] PAGE.html ...",
  );
  process.exit(2);
}
const WebSocketClass = (globalThis as unknown as { WebSocket?: SocketClass }).WebSocket;
if (WebSocketClass === undefined) {
  console.error('page-load: no WebSocket in this Node; run it with --experimental-websocket (Node 20)');
  process.exit(2);
}
const profile = mkdtempSync(join(tmpdir(), 'gv-chromium-'));
const browser = spawn(
  CHROMIUM,
  [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--hide-scrollbars',
    `--user-data-dir=${profile}`,
    '--remote-debugging-port=0',
    '--window-size=1100,900',
    'about:blank',
  ],
  // Its own process group: the browser, its zygote and renderers are stopped together at the end.
  { stdio: 'ignore', detached: true },
);

/** Opens `file` in a new tab; returns the tab's session and a way to close it. */
async function open(cdp: Cdp, file: string): Promise<{ session: string; close: () => Promise<unknown> }> {
  const target = await cdp.call('Target.createTarget', { url: 'about:blank' });
  const targetId = target.result!['targetId'];
  const attached = await cdp.call('Target.attachToTarget', { targetId, flatten: true });
  const session = attached.result!['sessionId'] as string;
  await cdp.call('Page.enable', {}, session);
  const loaded = cdp.once('Page.loadEventFired', session);
  await cdp.call('Page.navigate', { url: pathToFileURL(file).href }, session);
  await loaded;
  return { session, close: () => cdp.call('Target.closeTarget', { targetId }) };
}

/** Evaluates `expression` (a promise of a JSON string) in the tab. */
async function evaluate<T>(cdp: Cdp, session: string, expression: string): Promise<T> {
  const r = await cdp.call(
    'Runtime.evaluate',
    { expression, awaitPromise: true, returnByValue: true },
    session,
  );
  return JSON.parse((r.result!['result'] as { value: string }).value) as T;
}

const FRAMES = 'new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))';

try {
  const [port, path] = (await waitForFile(join(profile, 'DevToolsActivePort'), 20_000)).split('\n');
  const socket = new WebSocketClass(`ws://127.0.0.1:${port}${path}`);
  await new Promise<void>((ok, fail) => {
    socket.addEventListener('open', ok);
    socket.addEventListener('error', () => fail(new Error('cannot connect to chromium')));
  });
  const cdp = new Cdp(socket);
  for (const file of files) {
    const loads: number[] = [];
    const paints: number[] = [];
    let elements = 0;
    for (let run = 0; run < RUNS; run++) {
      const tab = await open(cdp, file);
      const value = await evaluate<{ load: number; painted: number; elements: number }>(
        cdp,
        tab.session,
        `${FRAMES}.then(() => JSON.stringify({
          load: performance.getEntriesByType('navigation')[0].loadEventEnd,
          painted: performance.now(),
          elements: document.getElementsByTagName('*').length,
        }))`,
      );
      loads.push(value.load);
      paints.push(value.painted);
      elements = value.elements;
      await tab.close();
    }
    const mib = statSync(file).size / 1024 / 1024;
    console.log(
      `${file}: ${mib.toFixed(2)} MiB, ${elements} elements; load ${Math.round(median(loads))} ms, painted ${Math.round(median(paints))} ms (median of ${RUNS}: ${paints.map((p) => Math.round(p)).join(', ')} ms)`,
    );
  }
  for (const shot of shots) {
    const tab = await open(cdp, shot.page);
    // A window as tall as the picture, so everything in it is laid out and painted (content-visibility).
    const metrics = { width: 1100, height: shot.maxHeight + 16, deviceScaleFactor: 1, mobile: false };
    await cdp.call('Emulation.setDeviceMetricsOverride', metrics, tab.session);
    const box = await evaluate<{ x: number; y: number; width: number; height: number } | null>(
      cdp,
      tab.session,
      `(async () => {
        const click = ${JSON.stringify(shot.click)};
        if (click !== null) document.querySelector(click)?.click();
        const el = document.querySelector(${JSON.stringify(shot.selector)});
        if (el === null) return JSON.stringify(null);
        // Laid out once in view, a content-visibility: auto part takes its real height: measure again.
        el.scrollIntoView();
        await ${FRAMES};
        el.scrollIntoView();
        await ${FRAMES};
        const r = el.getBoundingClientRect();
        return JSON.stringify({ x: r.left + scrollX, y: r.top + scrollY, width: r.width, height: r.height });
      })()`,
    );
    if (box === null) throw new Error(`${shot.page}: nothing matches ${shot.selector}`);
    const pad = 8;
    const shotPng = await cdp.call(
      'Page.captureScreenshot',
      {
        format: 'png',
        captureBeyondViewport: true,
        clip: {
          x: Math.max(0, box.x - pad),
          y: Math.max(0, box.y - pad),
          width: Math.min(1100, box.width + 2 * pad),
          height: Math.min(shot.maxHeight, box.height + 2 * pad),
          scale: 1,
        },
      },
      tab.session,
    );
    writeFileSync(shot.out, Buffer.from(shotPng.result!['data'] as string, 'base64'));
    console.log(`${shot.out}: ${shot.selector} of ${shot.page}`);
    await tab.close();
  }
  // A clean shutdown: the browser closes its profile and its helper processes before it exits.
  const exited = new Promise((r) => browser.once('exit', r));
  await cdp.call('Browser.close').catch(() => undefined);
  await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
  socket.close();
} finally {
  if (browser.exitCode === null && browser.signalCode === null) {
    const exited = new Promise((r) => browser.once('exit', r));
    process.kill(-browser.pid!, 'SIGTERM');
    await exited;
  }
  // A helper process of the group may still hold the profile for a moment.
  try {
    process.kill(-browser.pid!, 'SIGKILL');
  } catch {
    // The group is gone: nothing left to stop.
  }
  rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
}
