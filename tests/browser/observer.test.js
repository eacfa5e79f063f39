#!/usr/bin/env node
/* The observer's pages in headless Chromium (puppeteer-core), against a
 * host that tests/test-observer-browser.sh started on a checkpoint root it
 * wrote.  Each check prints one line; the exit status is the number of
 * failed checks (at most 100), 2 when the test itself could not run.
 *
 * Arguments: --url BASE --chromium PATH --stream RUNNER (the task t1's
 * stream, appended to) --hello-success FILE --task-success FILE (records
 * to append) --log FILE (t1's hello run 0 stdout) --screenshot PNG. */
'use strict';

const fs = require('fs');
const puppeteer = require('puppeteer-core');

const EVIL = '<img src=x onerror=alert(1)>';
/* How soon a transition must show on an open page. */
const LIVE_MS = 1000;

function args() {
  const a = {};
  const argv = process.argv.slice(2);
  for (let i = 0; i + 1 < argv.length; i += 2) {
    a[argv[i].replace(/^--/, '')] = argv[i + 1];
  }
  for (const k of ['url', 'chromium', 'stream', 'hello-success',
    'task-success', 'log', 'screenshot']) {
    if (!a[k]) {
      console.error('observer.test.js: missing --' + k);
      process.exit(2);
    }
  }
  return a;
}

let failures = 0;
let checks = 0;
function check(ok, what, detail) {
  checks++;
  if (ok) {
    console.log('ok: ' + what);
  } else {
    failures++;
    console.log('FAIL: ' + what + (detail !== undefined ?
      ': ' + JSON.stringify(detail) : ''));
  }
}

/* Resolves to the time (ms) `fn` took to become true in the page, or null
 * after `ms`. */
async function within(page, ms, fn, ...fnArgs) {
  const t0 = Date.now();
  try {
    await page.waitForFunction(fn, { timeout: ms, polling: 'mutation' },
      ...fnArgs);
    return Date.now() - t0;
  } catch (e) {
    return null;
  }
}

/* The text of the cell `cls` of t1's process row `name`. */
function processCell(name, cls) {
  const rows = document.querySelectorAll('#processes tr.process');
  for (const r of rows) {
    if (r.dataset.name === name) {
      const td = r.querySelector('td.' + cls);
      return td ? td.textContent : null;
    }
  }
  return null;
}

async function main() {
  const a = args();
  const base = a.url;
  const browser = await puppeteer.launch({
    executablePath: a.chromium,
    headless: true,
    args: (process.getuid && process.getuid() === 0 ? ['--no-sandbox'] : [])
      .concat(['--disable-dev-shm-usage', '--disable-gpu']),
  });
  const problems = [];
  try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1200, height: 900 });
    page.on('dialog', async (d) => {
      problems.push('dialog: ' + d.message());
      await d.dismiss();
    });
    page.on('pageerror', (e) => problems.push('page error: ' + e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push('console: ' + m.text());
    });
    /* Nothing but the observer itself. */
    await page.setRequestInterception(true);
    page.on('request', (r) => {
      if (!r.url().startsWith(base + '/')) {
        problems.push('request outside the observer: ' + r.url());
        r.abort();
      } else {
        r.continue();
      }
    });

    /* The index and the list. */
    let resp = await page.goto(base + '/', { waitUntil: 'load' });
    check(resp.status() === 200, '/ answers 200', resp.status());
    const csp = resp.headers()['content-security-policy'] || '';
    check(/default-src 'self'/.test(csp), '/ has the Content-Security-Policy',
      csp);
    check(await page.$('#link-active') !== null, '/ links to the active tasks');
    await Promise.all([page.waitForNavigation(), page.click('#link-active')]);
    check(page.url() === base + '/main/active', 'the link leads to /main/active',
      page.url());
    const ids = await page.$$eval('#tasks tr.task',
      (rows) => rows.map((r) => r.dataset.taskId).sort());
    check(JSON.stringify(ids) === JSON.stringify(['t1', EVIL].sort()),
      'the active list shows both tasks', ids);
    check(await page.$$eval('img, svg, script:not([src])', (e) => e.length) ===
      0, 'the list made no element of a task id');

    /* The task page, from the list's link. */
    const link = await page.evaluateHandle(() => {
      for (const r of document.querySelectorAll('#tasks tr.task')) {
        if (r.dataset.taskId === 't1') return r.querySelector('td.id a');
      }
      return null;
    });
    await Promise.all([page.waitForNavigation(), link.asElement().click()]);
    check(page.url() === base + '/task/t1', 'the list links to /task/t1',
      page.url());
    check(await page.$eval('#task-state', (e) => e.textContent) === 'ACTIVE',
      't1 is ACTIVE');
    const procs = await page.$$eval('#processes tr.process',
      (rows) => rows.map((r) => [r.dataset.name,
        r.querySelector('td.state').textContent]));
    check(JSON.stringify(procs) ===
      JSON.stringify([['hello', 'RUNNING'], ['later', 'WAITING']]),
      't1 shows its processes and their states', procs);
    const logHref = await page.evaluate(() => {
      for (const r of document.querySelectorAll('#processes tr.process')) {
        if (r.dataset.name === 'hello')
          return r.querySelector('td.stdout a').getAttribute('href');
      }
      return null;
    });
    check(logHref === '/logs/t1/hello/0/stdout', 'hello links to its stdout',
      logHref);

    /* Live: a process transition, then a task transition, each within
     * LIVE_MS of the append, the page not reloaded. */
    const connected = await within(page, 5000,
      () => document.body.dataset.live === 'connected');
    check(connected !== null, 'the task page is connected to /events');
    await page.evaluate(() => { window.notReloaded = true; });
    fs.appendFileSync(a.stream, fs.readFileSync(a['hello-success']));
    let took = await within(page, LIVE_MS, () => {
      for (const r of document.querySelectorAll('#processes tr.process')) {
        if (r.dataset.name === 'hello')
          return r.querySelector('td.state').textContent === 'SUCCESS';
      }
      return false;
    });
    check(took !== null, 'hello SUCCESS shows within ' + LIVE_MS + ' ms',
      took === null ? 'not shown' : took + ' ms');
    check(await page.evaluate(processCell, 'hello', 'return-code') === '0',
      'hello return code 0 shows');
    fs.appendFileSync(a.stream, fs.readFileSync(a['task-success']));
    took = await within(page, LIVE_MS,
      () => document.getElementById('task-state').textContent === 'SUCCESS');
    check(took !== null, 't1 SUCCESS shows within ' + LIVE_MS + ' ms',
      took === null ? 'not shown' : took + ' ms');
    const hist = await page.$$eval('#task-statuses td.state',
      (c) => c.map((e) => e.textContent));
    check(JSON.stringify(hist) === JSON.stringify(['ACTIVE', 'SUCCESS']),
      'the status history grew by one row', hist);
    check(await page.evaluate(() => window.notReloaded === true),
      'the page was not reloaded');
    await page.screenshot({ path: a.screenshot, fullPage: true });
    check(fs.statSync(a.screenshot).size > 1000, 'the screenshot is saved');

    /* The hostile task: its id, user, port and process names as text. */
    resp = await page.goto(base + '/task/' + encodeURIComponent(EVIL),
      { waitUntil: 'load' });
    check(resp.status() === 200, 'the hostile task page answers 200',
      resp.status());
    check(await page.$eval('#task-id', (e) => e.textContent) === EVIL,
      'the hostile id shows as text');
    check(await page.$eval('body', (b) => b.dataset.taskId) === EVIL,
      'the hostile id is the body\'s data-task-id');
    check(await page.$$eval('img, svg, b, i, script:not([src])',
      (e) => e.length) === 0, 'the hostile task page made no element of it');
    check(await page.$eval('#task-user', (e) => e.textContent) === '<b>u</b>',
      'the hostile user shows as text');
    const hostileProc = await page.$$eval('#processes tr.process',
      (rows) => rows.map((r) => r.dataset.name));
    check(JSON.stringify(hostileProc) ===
      JSON.stringify(['<svg onload=alert(2)>']),
      'the hostile process name shows as text', hostileProc);
    /* Its live refresh made no element either. */
    await within(page, 3000, () => document.body.dataset.live === 'connected');
    await new Promise((r) => setTimeout(r, 300));
    check(await page.$$eval('img, svg, b, i', (e) => e.length) === 0,
      'the live refresh made no element of it');

    /* The process page and the raw config. */
    resp = await page.goto(base + '/process/t1/hello', { waitUntil: 'load' });
    check(resp.status() === 200, '/process/t1/hello answers 200');
    check(await page.$eval('#process-state', (e) => e.textContent) ===
      'SUCCESS', 'the process page shows SUCCESS');
    check(await page.$$eval('#runs tr.run', (r) => r.length) === 1,
      'the process page shows one run');
    resp = await page.goto(base + '/rawtask/' + encodeURIComponent(EVIL),
      { waitUntil: 'load' });
    check(resp.status() === 200, 'the hostile rawtask answers 200');
    check((await page.$eval('#rawtask', (e) => e.textContent))
      .includes('"<script>alert(3)</script>"'),
      'the hostile config shows as text');

    /* The log viewer: what is there, then what is appended. */
    resp = await page.goto(base + '/logs/t1/hello/0/stdout',
      { waitUntil: 'load' });
    check(resp.status() === 200, 'the log viewer answers 200');
    took = await within(page, 3000, () => document.getElementById('log-data')
      .textContent === 'hello <b>world</b>\n');
    check(took !== null, 'the log shows as text');
    fs.appendFileSync(a.log, 'line 2 \u00e9\n');
    took = await within(page, 3000, () => document.getElementById('log-data')
      .textContent === 'hello <b>world</b>\nline 2 \u00e9\n');
    check(took !== null, 'the appended log line shows',
      took === null ? await page.$eval('#log-data', (e) => e.textContent) :
        took + ' ms');
    check(await page.$$eval('#log-data *', (e) => e.length) === 0,
      'the log made no element');
  } finally {
    await browser.close();
  }
  check(problems.length === 0, 'no dialog, script error or CSP violation',
    problems);
  console.log(`${checks - failures} of ${checks} browser checks passed`);
  process.exit(Math.min(failures, 100));
}

main().catch((e) => {
  console.error('observer.test.js: ' + (e && e.stack || e));
  process.exit(2);
});
