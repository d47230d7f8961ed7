/* The cache dashboard: polls cacheStats and cacheHealth over GraphQL with the admin's token and
 * draws them with Chart.js (served by the gateway from node_modules). Plain browser JavaScript,
 * no build step. ?poll=SECONDS changes the polling interval (default 5). */
(function () {
  'use strict';

  var Chart = window.Chart;
  var $ = function (id) {
    return document.getElementById(id);
  };
  var params = new URLSearchParams(location.search);
  var POLL_MS = Math.max(500, (Number(params.get('poll')) || 5) * 1000);
  var HISTORY_POINTS = 120;
  var TOKEN_KEY = 'cachegate:dashboard-token';

  // The operations the CLI sends too, from src/admin/operations.ts (served as assets/operations.js).
  var OPERATIONS = window.cachegateOperations;
  var STATS_QUERY = OPERATIONS.stats;
  var HEALTH_QUERY = OPERATIONS.health;

  var token = sessionStorage.getItem(TOKEN_KEY) || '';
  var timer = null;
  var previous = null;
  var polling = false;

  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = 'system-ui, sans-serif';

  var hitRateChart = new Chart($('chart-hitrate'), {
    type: 'line',
    data: {
      labels: [],
      datasets: [
        { label: 'hit rate, this interval (%)', data: [], borderColor: '#1f6feb', backgroundColor: '#1f6feb', spanGaps: true, yAxisID: 'rate' },
        { label: 'hit rate, since reset (%)', data: [], borderColor: '#8250df', backgroundColor: '#8250df', borderDash: [4, 3], yAxisID: 'rate' },
        { label: 'misses, this interval', data: [], type: 'bar', backgroundColor: 'rgba(198,40,40,.35)', yAxisID: 'count' },
      ],
    },
    options: {
      scales: {
        rate: { position: 'left', min: 0, max: 100, title: { display: true, text: '%' } },
        count: { position: 'right', beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: 'misses' } },
      },
    },
  });
  // Field names are the point of the per-field charts: Chart.js caps a vertical axis's width
  // (about a quarter of the canvas) and cuts longer names off at the left edge
  // ("mgRecording.metadata"), so the axis is widened to its longest name instead.
  function fitFieldNames(scale) {
    var font = Chart.helpers.toFont(scale.options.ticks.font);
    var ctx = scale.ctx;
    ctx.save();
    ctx.font = font.string;
    var widest = 0;
    (scale.chart.data.labels || []).forEach(function (label) {
      widest = Math.max(widest, ctx.measureText(String(label)).width);
    });
    ctx.restore();
    var tick = scale.options.grid && scale.options.grid.tickLength != null ? scale.options.grid.tickLength : 8;
    scale.width = Math.max(scale.width, Math.ceil(widest + scale.options.ticks.padding + tick + 4));
  }
  var fieldAxis = { stacked: true, afterFit: fitFieldNames, ticks: { autoSkip: false } };

  // Latencies span decades (a hit from memory in microseconds, a miss in seconds): the log axis
  // is labelled at whole decades only, which sit evenly apart, so Chart.js's skipping of labels
  // that would collide works (with its default 1-2-5 ticks they crowded and overlapped).
  function decadesOnly(scale) {
    scale.ticks = scale.ticks.filter(function (t) {
      var exp = Math.log10(t.value);
      return Math.abs(exp - Math.round(exp)) < 1e-9;
    });
  }
  function decadeLabel(value) {
    return value >= 1 ? Math.round(value).toLocaleString('en') : String(Number(value.toPrecision(1)));
  }
  function decadeRange(values) {
    var positive = values.filter(function (v) {
      return typeof v === 'number' && v > 0;
    });
    if (positive.length === 0) return { min: 0.1, max: 10 };
    var lo = Math.pow(10, Math.floor(Math.log10(Math.min.apply(null, positive))));
    var hi = Math.pow(10, Math.ceil(Math.log10(Math.max.apply(null, positive))));
    return { min: lo, max: hi > lo ? hi : lo * 10 };
  }

  /** The per-field charts grow with the number of fields, so no name is skipped for lack of room. */
  function sizeForFields(chart, count) {
    var height = Math.max(240, 60 + count * 22) + 'px';
    var box = chart.canvas.parentNode;
    if (box.style.height !== height) {
      box.style.height = height;
      chart.resize();
    }
  }

  var fieldsChart = new Chart($('chart-fields'), {
    type: 'bar',
    data: {
      labels: [],
      datasets: [
        { label: 'hits', data: [], backgroundColor: '#2e7d32' },
        { label: 'misses', data: [], backgroundColor: '#c62828' },
      ],
    },
    options: { indexAxis: 'y', scales: { x: { stacked: true, beginAtZero: true, ticks: { maxRotation: 0 } }, y: fieldAxis } },
  });
  var latencyChart = new Chart($('chart-latency'), {
    type: 'bar',
    data: {
      labels: [],
      datasets: [
        { label: 'avg hit (ms)', data: [], backgroundColor: '#2e7d32' },
        { label: 'avg miss (ms)', data: [], backgroundColor: '#c62828' },
      ],
    },
    options: {
      indexAxis: 'y',
      scales: {
        x: {
          type: 'logarithmic',
          afterBuildTicks: decadesOnly,
          ticks: { maxRotation: 0, autoSkip: true, autoSkipPadding: 12, callback: decadeLabel },
        },
        y: { afterFit: fitFieldNames, ticks: { autoSkip: false } },
      },
    },
  });
  var memoryChart = new Chart($('chart-memory'), {
    type: 'line',
    data: {
      labels: [],
      datasets: [
        { label: 'Redis used memory (MB)', data: [], borderColor: '#d97706', backgroundColor: '#d97706' },
        { label: 'in-process tier (MB)', data: [], borderColor: '#0891b2', backgroundColor: '#0891b2' },
      ],
    },
    options: { scales: { y: { beginAtZero: true } } },
  });

  function gql(query, variables) {
    var headers = { 'content-type': 'application/json', accept: 'application/json' };
    if (token) headers.authorization = 'Bearer ' + token;
    return fetch('/graphql', { method: 'POST', headers: headers, body: JSON.stringify({ query: query, variables: variables || {} }) })
      .then(function (res) {
        return res.json();
      })
      .then(function (body) {
        if (body.errors && body.errors.length) {
          var e = body.errors[0];
          var err = new Error(e.message + (e.extensions && e.extensions.code ? ' (' + e.extensions.code + ')' : ''));
          err.code = e.extensions && e.extensions.code;
          throw err;
        }
        return body.data;
      });
  }

  function showError(message) {
    var el = $('error');
    el.textContent = message || '';
    el.hidden = !message;
  }

  var fmt = new Intl.NumberFormat('en', { maximumFractionDigits: 0 });
  var fmt2 = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
  var pct = function (r) {
    return fmt2.format(r * 100) + ' %';
  };
  var mb = function (bytes) {
    return bytes == null ? null : Math.round((bytes / 1048576) * 100) / 100;
  };
  var bytesText = function (b) {
    return b < 1024 ? b + ' B' : b < 1048576 ? fmt2.format(b / 1024) + ' KB' : fmt2.format(b / 1048576) + ' MB';
  };

  function pushPoint(chart, label, values) {
    chart.data.labels.push(label);
    values.forEach(function (v, i) {
      chart.data.datasets[i].data.push(v);
    });
    if (chart.data.labels.length > HISTORY_POINTS) {
      chart.data.labels.shift();
      chart.data.datasets.forEach(function (d) {
        d.data.shift();
      });
    }
    chart.update('none');
  }

  function renderStats(s) {
    $('stat-hitRate').textContent = pct(s.hitRate);
    $('stat-scope').textContent = s.scope === 'deployment' ? 'all instances' : 'this instance only';
    $('stat-hits').textContent = fmt.format(s.hits);
    $('stat-misses').textContent = fmt.format(s.misses);
    $('stat-errors').textContent = fmt.format(s.errors);
    $('stat-errors').className = 'value' + (s.errors > 0 ? ' bad' : '');
    $('stat-sets').textContent = fmt.format(s.sets);
    $('stat-keyCount').textContent = s.keyCount == null ? '–' : fmt.format(s.keyCount);
    $('stat-redisMemory').textContent = s.redisUsedMemoryHuman || '–';
    $('stat-l1').textContent = fmt.format(s.l1Entries) + ' entries';
    $('stat-l1Bytes').textContent = bytesText(s.l1Bytes);

    var time = new Date().toLocaleTimeString();
    var interval = null;
    var intervalMisses = null;
    if (previous) {
      var dh = s.hits - previous.hits;
      var dm = s.misses - previous.misses;
      // A reset between two polls makes the deltas negative: no point for that interval.
      if (dh >= 0 && dm >= 0) {
        intervalMisses = dm;
        interval = dh + dm > 0 ? Math.round((dh / (dh + dm)) * 10000) / 100 : null;
      }
    }
    previous = s;
    pushPoint(hitRateChart, time, [interval, Math.round(s.hitRate * 10000) / 100, intervalMisses]);
    pushPoint(memoryChart, time, [mb(s.redisUsedMemoryBytes), mb(s.l1Bytes)]);

    var labels = s.fields.map(function (f) {
      return f.coordinate;
    });
    fieldsChart.data.labels = labels;
    fieldsChart.data.datasets[0].data = s.fields.map(function (f) {
      return f.hits;
    });
    fieldsChart.data.datasets[1].data = s.fields.map(function (f) {
      return f.misses;
    });
    sizeForFields(fieldsChart, labels.length);
    fieldsChart.update('none');
    latencyChart.data.labels = labels;
    latencyChart.data.datasets[0].data = s.fields.map(function (f) {
      return f.avgHitMs;
    });
    latencyChart.data.datasets[1].data = s.fields.map(function (f) {
      return f.avgMissMs;
    });
    var range = decadeRange(latencyChart.data.datasets[0].data.concat(latencyChart.data.datasets[1].data));
    latencyChart.options.scales.x.min = range.min;
    latencyChart.options.scales.x.max = range.max;
    sizeForFields(latencyChart, labels.length);
    latencyChart.update('none');

    var body = $('fields').tBodies[0];
    body.textContent = '';
    if (s.fields.length === 0) {
      var empty = body.insertRow();
      var cell = empty.insertCell();
      cell.colSpan = 6;
      cell.className = 'muted';
      cell.textContent = 'no cached field has been read since the last reset';
    }
    s.fields.forEach(function (f) {
      var row = body.insertRow();
      row.dataset.coordinate = f.coordinate;
      [
        f.coordinate,
        fmt.format(f.hits),
        fmt.format(f.misses),
        pct(f.hitRate),
        f.avgHitMs == null ? '–' : fmt2.format(f.avgHitMs),
        f.avgMissMs == null ? '–' : fmt2.format(f.avgMissMs),
      ].forEach(function (text) {
        row.insertCell().textContent = text;
      });
    });
  }

  function renderHealth(h) {
    var state = $('health-state');
    state.textContent = h.healthy ? 'healthy' : 'unhealthy';
    state.className = 'value ' + (h.healthy ? 'good' : 'bad');
    var parts = [h.backend + (h.tiered ? ' + in-process tier' : ''), 'circuit ' + h.circuit];
    if (h.redis) {
      parts.push(h.redis.available ? 'PING ' + fmt2.format(h.redis.latencyMs) + ' ms' : 'Redis unreachable');
      if (h.redis.url) parts.push(h.redis.url);
    }
    $('health-detail').textContent = parts.join(' · ');
  }

  function poll() {
    if (polling) return Promise.resolve();
    polling = true;
    var health = gql(HEALTH_QUERY).then(function (d) {
      renderHealth(d.cacheHealth);
    });
    var stats = token
      ? gql(STATS_QUERY).then(function (d) {
          renderStats(d.cacheStats);
          $('status').textContent = 'connected';
        })
      : Promise.resolve();
    return Promise.all([health, stats])
      .then(function () {
        showError('');
        $('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
      })
      .catch(function (err) {
        showError(err.message);
        if (err.code === 'UNAUTHENTICATED' || err.code === 'FORBIDDEN') $('status').textContent = 'token refused';
      })
      .then(function () {
        polling = false;
      });
  }

  function start() {
    clearInterval(timer);
    previous = null;
    poll();
    timer = setInterval(poll, POLL_MS);
  }

  $('auth').addEventListener('submit', function (event) {
    event.preventDefault();
    token = $('token')
      .value.trim()
      .replace(/^Bearer\s+/i, '');
    sessionStorage.setItem(TOKEN_KEY, token);
    $('status').textContent = token ? 'connecting…' : 'not connected';
    start();
  });

  function report(mutation, r) {
    var text = (r.dryRun ? '[dry run] ' : '') + mutation + ': invalidated ' + r.invalidated;
    if (r.tags.length) text += ' · tags ' + r.tags.join(', ');
    text += ' · keys deleted ' + r.deletedKeys;
    $('result').textContent = text;
    $('result').className = '';
  }

  function failed(err) {
    $('result').textContent = err.message;
    $('result').className = 'bad';
  }

  function runMutation(mutation, argName, value) {
    var dryRun = $('dry-run').checked;
    var input =
      argName === 'tags'
        ? value
            .split(',')
            .map(function (t) {
              return t.trim();
            })
            .filter(Boolean)
        : value.trim();
    $('result').textContent = mutation + '…';
    return gql(OPERATIONS.invalidate[mutation], { value: input, dryRun: dryRun }).then(function (d) {
      report(mutation, d.r);
      poll();
    }, failed);
  }

  Array.prototype.forEach.call(document.querySelectorAll('#invalidate form'), function (form) {
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      runMutation(form.dataset.mutation, form.dataset.arg, form.elements.value.value);
    });
  });

  var clearButton = $('clear-cache');
  var disarm = null;
  clearButton.addEventListener('click', function () {
    if (!clearButton.classList.contains('armed')) {
      clearButton.classList.add('armed');
      clearButton.textContent = 'Click again to clear';
      disarm = setTimeout(function () {
        clearButton.classList.remove('armed');
        clearButton.textContent = 'Clear cache';
      }, 5000);
      return;
    }
    clearTimeout(disarm);
    clearButton.classList.remove('armed');
    clearButton.textContent = 'Clear cache';
    gql(OPERATIONS.invalidate.clearCache, { dryRun: $('dry-run').checked }).then(function (d) {
      report('clearCache', d.r);
      poll();
    }, failed);
  });

  $('reset-stats').addEventListener('click', function () {
    gql(OPERATIONS.resetStats).then(function () {
      $('result').textContent = 'resetCacheStats: counters zeroed';
      previous = null;
      poll();
    }, failed);
  });

  $('poll').textContent = String(POLL_MS / 1000);
  $('token').value = token;
  if (token) $('status').textContent = 'connecting…';
  start();
})();
