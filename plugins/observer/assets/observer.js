/* The observer's pages, kept live.  The server renders each page whole;
 * this script only updates it: on the task and process pages it listens to
 * /events for the task and, on each event, refetches the task's JSON and
 * updates the cells in place; on the log page it tails /logdata.  Text
 * only ever goes in through textContent: a task's strings are never
 * parsed as HTML.  No inline script anywhere, so the pages run under
 * `Content-Security-Policy: default-src 'self'`. */
(function () {
  'use strict';

  var body = document.body;
  var page = body.dataset.page;
  var taskId = body.dataset.taskId;

  function pad(n) {
    return n < 10 ? '0' + n : String(n);
  }

  /* As the server's: '%m/%d %H:%M:%S' in UTC, '' for none. */
  function prettyTime(seconds) {
    if (typeof seconds !== 'number' || !(seconds > 0)) return '';
    var d = new Date(seconds * 1000);
    return pad(d.getUTCMonth() + 1) + '/' + pad(d.getUTCDate()) + ' ' +
      pad(d.getUTCHours()) + ':' + pad(d.getUTCMinutes()) + ':' +
      pad(d.getUTCSeconds());
  }

  function setText(el, text) {
    if (el && el.textContent !== text) el.textContent = text;
  }

  function cell(row, cls) {
    return row.querySelector('td.' + cls);
  }

  function segment(s) {
    return encodeURIComponent(String(s));
  }

  function getJSON(url) {
    return fetch(url, { cache: 'no-store', credentials: 'same-origin' })
      .then(function (r) {
        if (!r.ok) throw new Error(url + ': ' + r.status);
        return r.json();
      });
  }

  function link(href, text) {
    var a = document.createElement('a');
    a.href = href;
    a.textContent = text;
    return a;
  }

  /* The cells a run shows (state, return code, times) from its JSON. */
  function updateRunCells(row, p) {
    setText(cell(row, 'state'), String(p.state || ''));
    setText(cell(row, 'return-code'),
      p.return_code === undefined || p.return_code === null ?
        '' : String(p.return_code));
    setText(cell(row, 'start'), prettyTime(p.start_time));
    setText(cell(row, 'stop'), prettyTime(p.stop_time));
  }

  function logLinks(row, name, run) {
    ['stdout', 'stderr'].forEach(function (stream) {
      var td = cell(row, stream);
      var href = '/logs/' + segment(taskId) + '/' + segment(name) + '/' +
        run + '/' + stream;
      var a = td.querySelector('a');
      if (!a) {
        td.appendChild(link(href, stream));
      } else if (a.getAttribute('href') !== href) {
        a.setAttribute('href', href);
      }
    });
  }

  function newRow(cls, cells) {
    var tr = document.createElement('tr');
    tr.className = cls;
    cells.forEach(function (c) {
      var td = document.createElement('td');
      td.className = c;
      tr.appendChild(td);
    });
    return tr;
  }

  /* --- the task page ------------------------------------------------------- */

  function processRow(tbody, name) {
    var rows = tbody.querySelectorAll('tr.process');
    for (var i = 0; i < rows.length; i++) {
      /* Compared, never put in a selector: a name may be anything. */
      if (rows[i].dataset.name === name) return rows[i];
    }
    var tr = newRow('process', ['name', 'run', 'state', 'return-code',
      'start', 'stop', 'cpu', 'ram', 'stdout', 'stderr']);
    tr.dataset.name = name;
    cell(tr, 'name').appendChild(
      link('/process/' + segment(taskId) + '/' + segment(name), name));
    tbody.appendChild(tr);
    return tr;
  }

  function updateTask(task, processes) {
    var state = document.getElementById('task-state');
    if (task && task.state && state.textContent !== task.state) {
      setText(state, task.state);
      var hist = document.querySelector('#task-statuses tbody');
      var tr = newRow('', ['state', 'time']);
      tr.removeAttribute('class');
      setText(cell(tr, 'state'), task.state);
      setText(cell(tr, 'time'), prettyTime(task.state_timestamp));
      hist.appendChild(tr);
    }
    if (task && task.resource_consumption) {
      var rc = task.resource_consumption;
      if (typeof rc.cpu === 'number')
        setText(document.getElementById('task-cpu'), rc.cpu.toFixed(3));
      if (typeof rc.ram === 'number')
        setText(document.getElementById('task-ram'),
          (rc.ram / 1048576).toFixed(1) + 'MB');
      if (typeof rc.disk === 'number')
        setText(document.getElementById('task-disk'),
          (rc.disk / 1073741824).toFixed(1) + 'GB');
    }
    if (!processes) return;
    var tbody = document.querySelector('#processes tbody');
    Object.keys(processes).forEach(function (name) {
      var p = processes[name];
      var row = processRow(tbody, name);
      var run = typeof p.process_run === 'number' ? p.process_run : null;
      setText(cell(row, 'run'), run === null ? '' : String(run));
      updateRunCells(row, p);
      var used = p.state === 'RUNNING' && p.used ? p.used : null;
      setText(cell(row, 'cpu'),
        used && typeof used.cpu === 'number' ? used.cpu.toFixed(3) : '');
      setText(cell(row, 'ram'), used && typeof used.ram === 'number' ?
        Math.floor(used.ram / 1048576) + 'MB' : '');
      if (run !== null) logLinks(row, name, run);
    });
  }

  function refreshTask() {
    return Promise.all([
      getJSON('/j/task/' + segment(taskId)),
      getJSON('/j/processes?task_id=' + segment(taskId))
    ]).then(function (r) {
      updateTask(r[0][taskId], r[1][taskId]);
    });
  }

  /* --- the process page ---------------------------------------------------- */

  function refreshProcess() {
    var name = body.dataset.process;
    return getJSON('/j/process/' + segment(taskId) + '/' + segment(name))
      .then(function (p) {
        if (!p || typeof p.process_run !== 'number') return;
        setText(document.getElementById('process-state'), String(p.state));
        var tbody = document.querySelector('#runs tbody');
        var want = String(p.process_run);
        var row = null;
        var rows = tbody.querySelectorAll('tr.run');
        for (var i = 0; i < rows.length; i++) {
          if (rows[i].dataset.run === want) row = rows[i];
        }
        if (!row) {
          row = newRow('run', ['run', 'state', 'return-code', 'start',
            'stop', 'stdout', 'stderr']);
          row.dataset.run = want;
          setText(cell(row, 'run'), want);
          /* The latest run first. */
          tbody.insertBefore(row, tbody.firstChild);
        }
        updateRunCells(row, p);
        logLinks(row, name, p.process_run);
        var used = p.state === 'RUNNING' && p.used ? p.used : null;
        setText(document.getElementById('process-cpu'),
          used && typeof used.cpu === 'number' ? used.cpu.toFixed(3) : 'N/A');
        setText(document.getElementById('process-ram'),
          used && typeof used.ram === 'number' ?
            (used.ram / 1048576).toFixed(1) + 'MB' : 'N/A');
      });
  }

  /* --- live updates -------------------------------------------------------- */

  /* Refreshes at most one at a time; events during a refresh cause one
   * more refresh after it, however many they are. */
  function live(refresh) {
    var busy = false;
    var again = false;
    function run() {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      again = false;
      refresh().catch(function () {}).then(function () {
        busy = false;
        if (again) run();
      });
    }
    if (typeof EventSource === 'undefined') {
      setInterval(run, 5000);
      return;
    }
    var es = new EventSource('/events?task_id=' + segment(taskId));
    es.onmessage = run;
    /* (Re)connected: whatever happened in between is in the JSON.  The
     * body says so (tests wait for it). */
    es.onopen = function () {
      body.dataset.live = 'connected';
      run();
    };
    es.onerror = function () {
      body.dataset.live = 'disconnected';
      /* Refused for good (503 at the subscriber limit): poll instead. */
      if (es.readyState === EventSource.CLOSED) setInterval(run, 5000);
    };
  }

  /* --- the log viewer ------------------------------------------------------ */

  var LOG_CHUNK = 65536;
  var LOG_BACKLOG = 262144;

  /* /logdata escapes & < > as Aurora's does (its viewer inserts HTML);
   * this one inserts text, so it takes the escaping back off. */
  function unescapeXml(s) {
    return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>')
      .replace(/&amp;/g, '&');
  }

  function tailLog() {
    var url = body.dataset.logdata;
    var pre = document.getElementById('log-data');
    var status = document.getElementById('log-status');
    var offset = null;
    function get(off, len) {
      return getJSON(url + '?offset=' + off + '&length=' + len);
    }
    function poll() {
      var next = offset === null ?
        get(-1, 0).then(function (r) {
          offset = Math.max(0, r.offset - LOG_BACKLOG);
          return get(offset, LOG_CHUNK);
        }) : get(offset, LOG_CHUNK);
      next.then(function (r) {
        if (r.data) {
          var atBottom = window.innerHeight + window.scrollY >=
            document.body.scrollHeight - 4;
          pre.appendChild(document.createTextNode(unescapeXml(r.data)));
          if (atBottom) window.scrollTo(0, document.body.scrollHeight);
        }
        offset = r.offset + r.length;
        setText(status, '');
        /* More is waiting: read it at once. */
        setTimeout(poll, r.length >= LOG_CHUNK ? 0 : 1000);
      }).catch(function (e) {
        setText(status, String(e.message || e));
        setTimeout(poll, 3000);
      });
    }
    poll();
  }

  if (page === 'task' && taskId !== undefined) {
    live(refreshTask);
  } else if (page === 'process' && taskId !== undefined) {
    live(refreshProcess);
  } else if (page === 'logs' && body.dataset.logdata) {
    tailLog();
  }
})();
