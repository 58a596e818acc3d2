/*
 * The interactive layer of the timeline page (timeline/render_timeline.py inlines this file).
 *
 * Reads the view (#timeline-data) and the page configuration (#timeline-config), draws the events
 * with vis-timeline, and adds what vis-timeline lacks: a keyboard model, ARIA, a detail panel with
 * every citation, search and filters, deep links, reduced motion and iframe height reports.
 *
 * Rules kept here: case text is untrusted, so every node is built with createElement/textContent
 * (never innerHTML); links only for http(s) URLs, checked again here after the Python side; key
 * listeners only on the widget and the panel, never on document or window; no network access.
 */
(function () {
  'use strict';

  var doc = document;
  var root = doc.documentElement;
  root.classList.remove('tl-no-js');
  root.classList.add('tl-js');

  function readJson(id) {
    return JSON.parse(doc.getElementById(id).textContent);
  }

  var data = readJson('timeline-data');
  var config = readJson('timeline-config');
  var events = data.events;          // in date order
  var geo = config.events;           // aligned with events: drawn extent, lanes, marker
  var DAY = 86400000;

  // ---------------------------------------------------------------- motion

  var motionQuery = window.matchMedia ? window.matchMedia('(prefers-reduced-motion: reduce)') : null;

  function reducedMotion() {
    return !!(motionQuery && motionQuery.matches);
  }

  function applyMotion() {
    var reduce = reducedMotion();
    root.classList.toggle('tl-reduced-motion', reduce);
    root.setAttribute('data-motion', reduce ? 'reduced' : 'full');
  }

  applyMotion();
  if (motionQuery && motionQuery.addEventListener) {
    motionQuery.addEventListener('change', applyMotion);
  }

  /* Animated moves redraw many times; with clustering each frame regroups thousands of items, so a large
     case moves without animation, as does everything when reduced motion is asked for. */
  function animation() {
    return reducedMotion() || config.cluster ? false : { duration: 250, easingFunction: 'easeInOutQuad' };
  }

  // ---------------------------------------------------------------- helpers

  function el(tag, className, text) {
    var node = doc.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null && text !== '') node.textContent = String(text);
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
  }

  /* The URL if it is http(s), else null (the Python side did the same; this is the second check). */
  function safeUrl(url) {
    if (typeof url !== 'string' || !url) return null;
    var probe = url.replace(/[\u0000-\u0020\u007f]+/g, '').toLowerCase();
    var match = /^([a-z][a-z0-9+.-]*):\/\//.exec(probe);
    if (!match || (match[1] !== 'http' && match[1] !== 'https')) return null;
    try {
      var parsed = new URL(url);
      return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  function plural(n, one, many) {
    return n + ' ' + (n === 1 ? one : many);
  }

  function imprecision(ev) {
    var words = [];
    if (ev.approximate) words.push('approximate');
    if (ev.uncertain) words.push('uncertain');
    return words.join(' and ');
  }

  function dateText(i) {
    var ev = events[i];
    var note = imprecision(ev);
    return ev.date_label + (note ? ' (' + note + ')' : '');
  }

  function fold(text) {
    return String(text || '').toLowerCase().normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
  }

  /* "2018-06-01" as local midnight (what vis-timeline would make of it, without parsing with moment). */
  function localDate(iso) {
    var parts = iso.split('-');
    var d = new Date(2000, 0, 1);
    d.setFullYear(Number(parts[0]), Number(parts[1]) - 1, Number(parts[2]));
    return d;
  }

  // ---------------------------------------------------------------- index

  var indexById = new Map();
  var entityLabels = new Map();
  Object.keys(data.entities).forEach(function (id) { entityLabels.set(id, data.entities[id].label); });
  var haystacks = [];
  var actorsOf = [];
  events.forEach(function (ev, i) {
    indexById.set(ev.id, i);
    var parts = [ev.label, ev.description, ev.date_label, ev.place, ev.type_labels.join(' ')];
    ev.participants.forEach(function (p) {
      parts.push(p.label);
      var entity = data.entities[p.id];
      if (entity && entity.aliases) parts.push(entity.aliases.join(' '));
    });
    ev.citations.forEach(function (c) { parts.push(c.quote, c.title, c.publisher); });
    haystacks.push(fold(parts.join('\n')));
    actorsOf.push(new Set(ev.participants.map(function (p) { return p.id; })));
  });

  var laneById = new Map();
  config.lanes.forEach(function (lane) { laneById.set(lane.id, lane); });

  // ---------------------------------------------------------------- items

  var grouped = config.groupBy !== 'none';
  /* vis-timeline keeps its groups in a plain object: a lane id such as "constructor" (an entity's id) would
     be Object.prototype's, and break the page. Its group ids are the lane ids with this prefix. */
  function groupId(lane) { return 'lane:' + lane; }
  var itemEvent = new Map();       // item id -> event index
  var eventItemIds = [];           // event index -> item ids
  var itemRows = [];
  geo.forEach(function (g, i) {
    var ev = events[i];
    var ids = [];
    var classes = ['tl-item', g.kind === 'range' ? 'tl-range' : 'tl-point'];
    if (ev.approximate) classes.push('tl-approx');
    if (ev.uncertain) classes.push('tl-uncertain');
    if (g.open === 'end') classes.push('tl-open-end');
    if (g.open === 'start') classes.push('tl-open-start');
    var startDate = localDate(g.start);
    var endDate = g.end ? localDate(g.end) : null;
    g.lanes.forEach(function (lane) {
      var id = ev.id + '|' + lane;
      var row = { id: id, event: ev.id, index: i, start: startDate, type: g.kind, className: classes.join(' ') };
      if (endDate) row.end = endDate;
      if (grouped) row.group = groupId(lane);
      itemRows.push(row);
      itemEvent.set(id, i);
      ids.push(id);
    });
    eventItemIds.push(ids);
  });

  var visible = events.map(function () { return true; });
  var itemSet = new vis.DataSet(itemRows);
  var itemView = new vis.DataView(itemSet, { filter: function (item) { return visible[item.index]; } });
  var groupSet = null;
  if (grouped) {
    groupSet = new vis.DataSet(config.lanes.map(function (lane, k) {
      return { id: groupId(lane.id), lane: lane.id, order: k,
               title: lane.label + (lane.detail ? ' \u2014 ' + lane.detail : ''), visible: true };
    }));
  }

  var contentCache = new Map();

  /* Item content: a DOM element built from text (vis-timeline inserts Elements as they are). */
  function itemTemplate(item, element) {
    if (item.isCluster || item.index === undefined) {
      var count = item.uiItems ? item.uiItems.length : 0;
      var node = el('span', 'tl-cluster-count', count ? plural(count, 'event', 'events') : '');
      var box0 = element && element.closest ? element.closest('.vis-item') : null;
      if (box0) {
        box0.setAttribute('role', 'group');
        box0.setAttribute('aria-label', count + ' events close together: zoom in to see them');
      }
      return node;
    }
    var i = item.index;
    var ev = events[i];
    var g = geo[i];
    var box = element && element.closest ? element.closest('.vis-item') : null;
    if (box) {
      box.setAttribute('role', 'group');
      box.setAttribute('aria-label', ev.label + ', ' + dateText(i));
      box.setAttribute('title', ev.label + ' \u2014 ' + dateText(i));
    }
    var cached = contentCache.get(item.id);
    if (cached) return cached;
    var wrap = el('span', 'tl-item-text');
    if (g.marker) wrap.appendChild(el('span', 'tl-mark', g.marker));
    wrap.appendChild(el('span', 'tl-item-date', ev.date_label));
    wrap.appendChild(el('span', 'tl-item-label', ev.label));
    if (g.open === 'end') {
      var arrow = el('span', 'tl-mark tl-mark-end', '\u2192');
      arrow.setAttribute('aria-hidden', 'true');
      wrap.appendChild(arrow);
    }
    contentCache.set(item.id, wrap);
    return wrap;
  }

  function groupTemplate(group) {
    if (!group) return el('span');
    var lane = laneById.get(group.lane);
    var wrap = el('span', 'tl-lane');
    wrap.appendChild(el('span', 'tl-lane-label', lane ? lane.label : group.lane));
    if (lane && lane.detail) wrap.appendChild(el('span', 'tl-lane-detail', lane.detail));
    return wrap;
  }

  // ---------------------------------------------------------------- timeline

  var widget = doc.getElementById('tl-widget');
  var panel = doc.getElementById('tl-panel');
  var detail = doc.getElementById('tl-detail');
  var emptyNote = doc.getElementById('tl-panel-empty');
  var live = doc.getElementById('tl-live');
  var countNode = doc.getElementById('tl-count');
  var search = doc.getElementById('tl-search');
  var actorSelect = doc.getElementById('tl-actor');
  var typeSelect = doc.getElementById('tl-type');
  var twinList = doc.getElementById('tl-twin-list');
  var twinItems = twinList ? Array.prototype.slice.call(twinList.children) : [];

  var bounds = config.bounds;
  var start = bounds ? localDate(bounds[0]) : new Date(2000, 0, 1);
  var end = bounds ? localDate(bounds[1]) : new Date(2001, 0, 1);
  var span = Math.max(end - start, 30 * DAY);
  var options = {
    template: itemTemplate,
    groupTemplate: groupTemplate,
    xss: { disabled: false },
    zoomKey: 'ctrlKey',
    horizontalScroll: false,
    // Many lanes scroll inside a box of fixed height (the lane names are a scrollable column); a single lane
    // takes the height it needs and the page scrolls.
    verticalScroll: grouped,
    maxHeight: grouped ? 640 : undefined,
    orientation: { axis: 'top', item: 'top' },
    stack: true,
    selectable: true,
    multiselect: false,
    editable: false,
    showCurrentTime: false,
    showTooltips: false,
    groupOrder: 'order',
    dataAttributes: ['event'],
    margin: { item: { horizontal: 6, vertical: 4 }, axis: 4 },
    zoomMin: 7 * DAY,
    zoomMax: span * 3,
    min: new Date(start.getTime() - span),
    max: new Date(end.getTime() + span),
    // Created "parked" on an empty stretch before the first event, then moved to fit all events (below):
    // vis-timeline measures every item added inside the window one by one (a forced layout each), which
    // takes tens of seconds for 10,000 items; items added outside the window are drawn in one batch later.
    start: new Date(start.getTime() - span),
    end: new Date(start.getTime() - span + 7 * DAY),
    locale: 'en',
    onInitialDrawComplete: function () { window.setTimeout(maybeReady, 0); }
  };
  if (config.cluster) {
    options.cluster = {
      maxItems: 3,
      titleTemplate: '{count} events here: click or zoom in to see them',
      showStipes: false,
      fitOnDoubleClick: true
    };
  }

  clear(widget);
  var timeline = grouped ? new vis.Timeline(widget, itemView, groupSet, options)
                         : new vis.Timeline(widget, itemView, options);

  speedUpClusters();

  /* vis-timeline 8's ClusterGenerator, looking for an old cluster to reuse, rebuilds a Set of the items of
     every old cluster for each new cluster: quadratic, seconds per zoom step with 10,000 items. Same result
     with an index: only old clusters that contain the first item of the new one can hold the same items.
     Guarded, so a vis-timeline without these internals just runs its own code. */
  function speedUpClusters() {
    var generator = timeline.itemSet && timeline.itemSet.clusterGenerator;
    if (!generator || typeof generator._getClusterForItems !== 'function' ||
        typeof generator.getClusters !== 'function') return;
    var find = generator._getClusterForItems;
    var getClusters = generator.getClusters;
    var indexed = null;
    var index = null;
    generator.getClusters = function () {
      indexed = null;
      index = null;
      return getClusters.apply(this, arguments);
    };
    generator._getClusterForItems = function (clusterItems, group, oldClusters, opts) {
      var candidates = oldClusters;
      if (oldClusters && oldClusters.length && clusterItems.length) {
        if (indexed !== oldClusters) {
          index = new Map();
          oldClusters.forEach(function (cluster) {
            var members = cluster && cluster.data && cluster.data.uiItems;
            (members || []).forEach(function (item) {
              var list = index.get(item.id);
              if (!list) index.set(item.id, (list = []));
              list.push(cluster);
            });
          });
          indexed = oldClusters;
        }
        candidates = index.get(clusterItems[0].id) || [];
      }
      return find.call(this, clusterItems, group, candidates, opts);
    };
  }

  var fitStart = new Date(start.getTime() - span * 0.02);
  var fitEnd = new Date(end.getTime() + span * 0.02);
  // vis-timeline applies options.start/end again on its first draw, so they are replaced, not just the window
  // (and "cluster" is repeated: setOptions without it turns clustering off).
  timeline.setOptions({ start: fitStart, end: fitEnd, cluster: options.cluster || false });
  timeline.setWindow(fitStart, fitEnd, { animation: false });

  /* The window that shows the given events (all when none is given), with a little room on both sides. */
  function windowFor(indexes) {
    var lo = Infinity;
    var hi = -Infinity;
    indexes.forEach(function (i) {
      var m = eventMiddle(i);
      if (m.start < lo) lo = m.start;
      if (m.end > hi) hi = m.end;
    });
    if (lo === Infinity) return null;
    var pad = Math.max((hi - lo) * 0.03, 15 * DAY);
    return { start: lo - pad, end: hi + pad };
  }

  /* Change the items or lanes while parked on the empty stretch (see "start" above), then show ``target``
     (a window) or go back to where the view was. */
  function bulk(change, target) {
    var win = timeline.getWindow();
    var park = start.getTime() - span;
    timeline.setWindow(park, park + 7 * DAY, { animation: false });
    try {
      change();
    } finally {
      if (target) timeline.setWindow(target.start, target.end, { animation: false });
      else timeline.setWindow(win.start, win.end, { animation: false });
    }
  }

  var ready = false;
  function markReady() {
    if (ready) return;
    ready = true;
    root.classList.add('tl-ready');
    openFromHash(true);
    reportHeight();
  }
  /* Ready (html.tl-ready) once the fitted view is drawn: items on screen, or nothing to draw. */
  var readyChecks = 0;
  function maybeReady() {
    if (ready) return;
    if (widget.querySelector('.vis-loading-screen') && readyChecks++ < 50) {
      // vis-timeline ends its start-up (removes its loading screen, which would swallow the mouse) on a
      // redraw that comes after its first range change; with the window set at creation that needs a nudge.
      window.setTimeout(function () { timeline.redraw(); }, 20);
      return;
    }
    if (events.length && !widget.querySelector('.vis-item')) return;
    markReady();
  }
  timeline.on('changed', function () {
    if (!ready) window.setTimeout(maybeReady, 0);
  });

  // ---------------------------------------------------------------- selection

  var current = -1;
  var panelOpen = false;
  var opener = null;

  function setHash(id) {
    try {
      history.replaceState(history.state, '', id ? '#' + encodeURIComponent(id) : location.pathname + location.search);
    } catch (e) {
      // srcdoc or sandboxed frames may refuse; the page works without the hash.
    }
  }

  function announce(i) {
    live.textContent = events[i].label + ', ' + events[i].date_label;
  }

  var twinCurrent = null;
  function markTwin(i) {
    if (twinCurrent) twinCurrent.removeAttribute('aria-current');
    twinCurrent = i >= 0 && twinItems[i] ? twinItems[i] : null;
    if (twinCurrent) twinCurrent.setAttribute('aria-current', 'true');
  }

  function eventMiddle(i) {
    var g = geo[i];
    var s = localDate(g.start).getTime();
    var e = g.end ? localDate(g.end).getTime() : s;
    return { start: s, end: e, middle: (s + e) / 2 };
  }

  /* Bring an event into view: centred, zoomed in enough to be drawn on its own, lane scrolled to. */
  function reveal(i) {
    var ids = eventItemIds[i];
    if (!ids.length) return;
    var win = timeline.getWindow();
    var width = win.end - win.start;
    var extent = eventMiddle(i);
    if (config.cluster && width > 120 * DAY && extent.end - extent.start < 120 * DAY) {
      timeline.setWindow(extent.middle - 60 * DAY, extent.middle + 60 * DAY, { animation: false });
    }
    timeline.focus(ids, { zoom: false, animation: animation() });
  }

  function selectEvent(i, how) {
    how = how || {};
    if (i < 0 || i >= events.length || !visible[i]) return;
    current = i;
    timeline.setSelection(eventItemIds[i]);
    if (how.reveal !== false) reveal(i);
    setHash(events[i].id);
    announce(i);
    markTwin(i);
    if (how.open || panelOpen) openPanel(i, how.focusPanel, how.showPanel);
  }

  function clearSelection() {
    current = -1;
    timeline.setSelection([]);
    markTwin(-1);
  }

  function visibleOrder() {
    var out = [];
    for (var i = 0; i < events.length; i++) if (visible[i]) out.push(i);
    return out;
  }

  function step(delta) {
    var order = visibleOrder();
    if (!order.length) return;
    var pos = order.indexOf(current);
    var next;
    if (pos === -1) {
      // Start from the first event in the current window (the first event when everything fits).
      var win = timeline.getWindow();
      next = order[0];
      if (delta < 0) next = order[order.length - 1];
      for (var k = 0; k < order.length; k++) {
        var m = eventMiddle(order[k]);
        if (delta > 0 && m.end >= win.start.getTime()) { next = order[k]; break; }
      }
    } else {
      next = order[Math.max(0, Math.min(order.length - 1, pos + delta))];
    }
    selectEvent(next, {});
  }

  function edge(last) {
    var order = visibleOrder();
    if (order.length) selectEvent(order[last ? order.length - 1 : 0], {});
  }

  // ---------------------------------------------------------------- detail panel

  function section(title, count) {
    var box = el('section', 'tl-detail-section');
    box.appendChild(el('h4', null, count === undefined ? title : title + ' (' + count + ')'));
    return box;
  }

  function citationNode(c) {
    var li = el('li', 'tl-cite');
    var quote = el('blockquote', 'tl-quote');
    quote.appendChild(el('p', null, '\u201c' + c.quote + '\u201d'));
    li.appendChild(quote);
    var meta = el('p', 'tl-cite-meta');
    var pythonUrl = Object.prototype.hasOwnProperty.call(config.safeUrls, c.source) ? config.safeUrls[c.source] : null;
    var url = pythonUrl && safeUrl(pythonUrl) && safeUrl(c.url) ? safeUrl(pythonUrl) : null;
    var title = c.title || c.source;
    if (url) {
      var a = el('a', 'tl-cite-title', title);
      a.href = url;
      a.rel = 'noopener noreferrer external';
      a.target = '_blank';
      meta.appendChild(a);
    } else {
      meta.appendChild(el('cite', 'tl-cite-title', title));
    }
    var rest = [];
    if (c.publisher) rest.push(c.publisher);
    if (c.published) rest.push(c.published);
    if (rest.length) meta.appendChild(doc.createTextNode(' \u2014 ' + rest.join(', ')));
    if (!url) meta.appendChild(el('span', 'tl-cite-nolink', c.url ? ' (link not shown: not an http(s) address)'
                                                                  : ' (no online address)'));
    li.appendChild(meta);
    return li;
  }

  function eventLink(id, text) {
    var a = el('a', 'tl-event-link', text);
    a.href = '#' + encodeURIComponent(id);
    a.setAttribute('data-event', id);
    return a;
  }

  function fact(dl, term, value) {
    if (value === undefined || value === null || value === '') return;
    dl.appendChild(el('dt', null, term));
    var dd = el('dd');
    if (typeof value === 'string') dd.textContent = value;
    else dd.appendChild(value);
    dl.appendChild(dd);
  }

  function buildDetail(i) {
    var ev = events[i];
    var g = geo[i];
    clear(detail);

    var head = el('div', 'tl-detail-head');
    var title = el('h3', 'tl-detail-title', ev.label);
    title.id = 'tl-detail-title';
    title.tabIndex = -1;
    head.appendChild(title);
    var close = el('button', 'tl-close', 'Close');
    close.type = 'button';
    close.setAttribute('aria-label', 'Close the details (Escape)');
    close.addEventListener('click', function () { closePanel(true); });
    head.appendChild(close);
    detail.appendChild(head);

    var when = el('p', 'tl-detail-date');
    if (g.marker) {
      var mark = el('span', 'tl-mark', g.marker);
      mark.setAttribute('aria-hidden', 'true');
      when.appendChild(mark);
    }
    when.appendChild(el('span', null, ev.date_label));
    var note = imprecision(ev);
    if (note) when.appendChild(el('span', 'tl-badge', note));
    detail.appendChild(when);

    if (ev.description) detail.appendChild(el('p', 'tl-detail-description', ev.description));

    var facts = el('dl', 'tl-facts');
    var written = el('span');
    written.appendChild(doc.createTextNode(ev.date_label + ' '));
    written.appendChild(el('code', null, ev.edtf));
    fact(facts, 'Date as written', written);
    fact(facts, 'Precision', ev.unit + (note ? ', ' + note : ''));
    fact(facts, 'How the date was established', config.basis[ev.basis] || ev.basis);
    fact(facts, 'Date note', ev.date_note);
    fact(facts, 'Type', ev.type_labels.join(', '));
    fact(facts, 'Place', ev.place);
    detail.appendChild(facts);

    if (ev.participants.length) {
      var who = section('Participants', ev.participants.length);
      var ul = el('ul', 'tl-participants');
      ev.participants.forEach(function (p) {
        var li = el('li');
        li.appendChild(el('span', 'tl-participant', p.label));
        var entity = data.entities[p.id];
        var kind = entity ? entity.kind_label : p.kind;
        li.appendChild(doc.createTextNode(' \u2014 ' + p.role + (kind ? ' (' + kind + ')' : '')));
        ul.appendChild(li);
      });
      who.appendChild(ul);
      detail.appendChild(who);
    }

    var claims = ev.claims.map(function (id) { return data.claims[id]; }).filter(Boolean);
    if (claims.length) {
      var box = section('Claims', claims.length);
      var list = el('ul', 'tl-claims');
      claims.forEach(function (claim) {
        var li = el('li', 'tl-claim');
        li.appendChild(el('p', 'tl-claim-text', '\u201c' + claim.text + '\u201d'));
        var meta = el('p', 'tl-claim-meta');
        meta.appendChild(el('span', 'tl-claimant', claim.claimant_label));
        meta.appendChild(doc.createTextNode(' ' + claim.stance + (claim.date ? ' \u00b7 ' + claim.date : '')));
        li.appendChild(meta);
        var others = claim.about.filter(function (id) { return id !== ev.id; });
        if (others.length) {
          var about = el('p', 'tl-claim-about');
          about.appendChild(doc.createTextNode('Also about: '));
          others.forEach(function (id, k) {
            if (k) about.appendChild(doc.createTextNode(', '));
            if (indexById.has(id)) about.appendChild(eventLink(id, events[indexById.get(id)].label));
            else about.appendChild(doc.createTextNode(entityLabels.get(id) || id));
          });
          li.appendChild(about);
        }
        if (claim.contradicts.length) {
          var against = el('p', 'tl-claim-about');
          against.appendChild(doc.createTextNode('Contradicts: ' + claim.contradicts.map(function (id) {
            var other = data.claims[id];
            return other ? other.claimant_label + ': \u201c' + other.text + '\u201d' : id;
          }).join('; ')));
          li.appendChild(against);
        }
        if (claim.citations.length) {
          var cites = el('ol', 'tl-cites');
          claim.citations.forEach(function (c) { cites.appendChild(citationNode(c)); });
          li.appendChild(cites);
        }
        list.appendChild(li);
      });
      box.appendChild(list);
      detail.appendChild(box);
    }

    var sources = section('Sources', plural(ev.citations.length, 'citation', 'citations'));
    if (ev.citations.length) {
      var ol = el('ol', 'tl-cites');
      ev.citations.forEach(function (c) { ol.appendChild(citationNode(c)); });
      sources.appendChild(ol);
    } else {
      sources.appendChild(el('p', null, 'No citation recorded for this event.'));
    }
    detail.appendChild(sources);

    var foot = el('p', 'tl-permalink');
    foot.appendChild(doc.createTextNode('Link to this event: '));
    foot.appendChild(eventLink(ev.id, '#' + ev.id));
    detail.appendChild(foot);
  }

  /* On narrow screens the panel sits below the timeline, possibly out of sight. */
  function panelBelow() {
    return panel.getBoundingClientRect().top >= widget.getBoundingClientRect().bottom;
  }

  function openPanel(i, moveFocus, showPanel) {
    var wasOpen = panelOpen;
    if (!wasOpen) {
      var active = doc.activeElement;
      opener = active && active !== doc.body && !panel.contains(active) ? active : widget;
    }
    buildDetail(i);
    panelOpen = true;
    detail.hidden = false;
    emptyNote.hidden = true;
    panel.classList.add('tl-panel-open');
    panel.setAttribute('data-event', events[i].id);
    if (moveFocus) {
      var title = doc.getElementById('tl-detail-title');
      if (title) title.focus();
    } else if (showPanel && panelBelow()) {
      panel.scrollIntoView({ block: 'nearest', behavior: reducedMotion() ? 'auto' : 'smooth' });
    }
    reportHeight();
  }

  function closePanel(returnFocus) {
    if (!panelOpen) return;
    panelOpen = false;
    clear(detail);
    detail.hidden = true;
    emptyNote.hidden = false;
    panel.classList.remove('tl-panel-open');
    panel.removeAttribute('data-event');
    if (returnFocus) {
      var target = opener && opener.isConnected ? opener : widget;
      target.focus({ preventScroll: false });
    }
    opener = null;
    reportHeight();
  }

  // ---------------------------------------------------------------- pointer

  timeline.on('select', function (props) {
    var ids = props.items || [];
    if (!ids.length) {
      clearSelection();
      closePanel(false);
      return;
    }
    var i = itemEvent.get(ids[0]);
    if (i === undefined) return; // a cluster: handled on click
    selectEvent(i, { open: true, reveal: false, showPanel: true });
  });

  timeline.on('click', function (props) {
    if (props && props.isCluster && props.time) {
      var win = timeline.getWindow();
      var width = (win.end - win.start) / 4;
      var t = props.time.getTime();
      timeline.setWindow(t - width / 2, t + width / 2, { animation: animation() });
    }
  });

  // The wheel belongs to the page: over the plot it scrolls the page (vis-timeline would scroll the lanes
  // first, a trap on a long page); over the lane names it scrolls that column like any scrollable box.
  // Ctrl + wheel (and trackpad pinches, which arrive as Ctrl + wheel) zooms through vis-timeline's zoomKey;
  // Meta + wheel zooms here.
  widget.addEventListener('wheel', function (event) {
    if (event.metaKey && !event.ctrlKey) {
      event.preventDefault();
      if (event.deltaY < 0) timeline.zoomIn(0.3, { animation: false });
      else timeline.zoomOut(0.3, { animation: false });
      return;
    }
    if (!event.ctrlKey) event.stopPropagation();
  }, { capture: true, passive: false });

  // ---------------------------------------------------------------- keyboard (widget and panel only)

  widget.addEventListener('keydown', function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var handled = true;
    switch (event.key) {
      case 'ArrowRight':
      case 'ArrowDown':
        step(1);
        break;
      case 'ArrowLeft':
      case 'ArrowUp':
        step(-1);
        break;
      case 'Home':
        edge(false);
        break;
      case 'End':
        edge(true);
        break;
      case 'Enter':
      case ' ':
        if (current === -1) step(1);
        if (current !== -1) openPanel(current, true);
        break;
      case 'Escape':
        if (panelOpen) closePanel(false);
        else if (current !== -1) clearSelection();
        else handled = false;
        break;
      case '+':
      case '=':
        zoom(true);
        break;
      case '-':
      case '_':
        zoom(false);
        break;
      case '0':
        fitAll();
        break;
      default:
        handled = false;
    }
    if (handled) event.preventDefault();
  });

  panel.addEventListener('keydown', function (event) {
    if (event.key === 'Escape' && panelOpen) {
      event.preventDefault();
      event.stopPropagation();
      closePanel(true);
    }
  });

  // Links to events (panel, list): open the event in the page instead of jumping to an anchor.
  function onEventLinkClick(event) {
    if (event.defaultPrevented || event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey ||
        event.altKey) return;
    var link = event.target.closest ? event.target.closest('a[href^="#"]') : null;
    if (!link) return;
    var id = link.getAttribute('data-event') ||
             (link.closest('li[data-event]') || link).getAttribute('data-event');
    if (!id || !indexById.has(id)) return;
    event.preventDefault();
    openEvent(id, { scroll: true });
  }
  detail.addEventListener('click', onEventLinkClick);
  if (twinList) twinList.addEventListener('click', onEventLinkClick);

  // ---------------------------------------------------------------- toolbar

  function zoom(zoomIn) {
    if (zoomIn) timeline.zoomIn(0.5, { animation: animation() });
    else timeline.zoomOut(0.5, { animation: animation() });
  }

  /* Fit the shown events (computed from their dates: vis-timeline's fit() measures every item's box). */
  function fitAll() {
    var order = visibleOrder();
    var target = order.length === events.length ? { start: fitStart, end: fitEnd } : windowFor(order);
    if (target) timeline.setWindow(target.start, target.end, { animation: animation() });
  }

  doc.getElementById('tl-zoom-in').addEventListener('click', function () { zoom(true); });
  doc.getElementById('tl-zoom-out').addEventListener('click', function () { zoom(false); });
  doc.getElementById('tl-fit').addEventListener('click', fitAll);
  doc.getElementById('tl-prev').addEventListener('click', function () { step(-1); });
  doc.getElementById('tl-next').addEventListener('click', function () { step(1); });

  // ---------------------------------------------------------------- filters

  var total = events.length;

  function updateCount(shown) {
    countNode.textContent = shown + ' of ' + plural(total, 'event', 'events') + ' shown';
  }

  function applyFilters() {
    var terms = fold(search.value).split(/\s+/).filter(Boolean);
    var actor = actorSelect.value;
    var type = typeSelect.value;
    var shown = 0;
    var laneCounts = new Map();
    for (var i = 0; i < events.length; i++) {
      var ok = true;
      for (var t = 0; t < terms.length && ok; t++) ok = haystacks[i].indexOf(terms[t]) !== -1;
      if (ok && actor) ok = actorsOf[i].has(actor);
      if (ok && type) ok = events[i].types.indexOf(type) !== -1;
      visible[i] = ok;
      if (ok) {
        shown++;
        geo[i].lanes.forEach(function (lane) { laneCounts.set(lane, (laneCounts.get(lane) || 0) + 1); });
      }
      var li = twinItems[i];
      if (li && li.hidden === ok) li.hidden = !ok;
    }
    bulk(function () {
      itemView.refresh();
      if (groupSet) {
        var changes = [];
        groupSet.forEach(function (group) {
          var want = laneCounts.has(group.lane);
          if (group.visible !== want) changes.push({ id: group.id, visible: want });
        });
        if (changes.length) groupSet.update(changes);
      }
    }, shown ? (shown === total ? { start: fitStart, end: fitEnd } : windowFor(visibleOrder())) : null);
    // fitStart/fitEnd and windowFor() give the same windows as fitAll(), without animation inside bulk().
    updateCount(shown);
    root.classList.toggle('tl-filtered', shown !== total);
    if (current !== -1 && !visible[current]) {
      clearSelection();
      closePanel(false);
    } else if (current !== -1) {
      timeline.setSelection(eventItemIds[current]);
    }
    reportHeight();
  }

  var searchTimer = null;
  search.addEventListener('input', function () {
    window.clearTimeout(searchTimer);
    searchTimer = window.setTimeout(applyFilters, total > 1000 ? 200 : 60);
  });
  actorSelect.addEventListener('change', applyFilters);
  typeSelect.addEventListener('change', applyFilters);
  doc.getElementById('tl-reset').addEventListener('click', function () {
    search.value = '';
    actorSelect.value = '';
    typeSelect.value = '';
    applyFilters();
  });

  function resetFiltersFor(i) {
    if (visible[i]) return;
    search.value = '';
    actorSelect.value = '';
    typeSelect.value = '';
    applyFilters();
  }

  // ---------------------------------------------------------------- deep links

  function openEvent(id, how) {
    var i = indexById.get(id);
    if (i === undefined) return false;
    resetFiltersFor(i);
    selectEvent(i, { open: true });
    if (!how || how.focus !== false) widget.focus({ preventScroll: true });
    if (how && how.scroll) {
      widget.scrollIntoView({ block: 'nearest', behavior: reducedMotion() ? 'auto' : 'smooth' });
    }
    return true;
  }

  function hashId() {
    var raw = location.hash ? location.hash.slice(1) : '';
    if (!raw) return '';
    try {
      return decodeURIComponent(raw);
    } catch (e) {
      return raw;
    }
  }

  function openFromHash(initial) {
    var id = hashId();
    // On load, an embedded page neither scrolls its host nor takes the focus from it.
    var embedded = window.parent !== window;
    if (id && indexById.has(id)) openEvent(id, { scroll: !initial, focus: !(initial && embedded) });
  }

  window.addEventListener('hashchange', function () {
    var id = hashId();
    if (id && indexById.has(id) && indexById.get(id) !== current) openFromHash(false);
  });

  // ---------------------------------------------------------------- embedding and print

  var lastHeight = 0;
  function contentHeight() {
    var page = doc.querySelector('.tl-page') || doc.body;
    var style = window.getComputedStyle(doc.body);
    var bottom = page.getBoundingClientRect().bottom + (window.scrollY || 0);
    return Math.ceil(bottom + (parseFloat(style.marginBottom) || 0) + (parseFloat(style.paddingBottom) || 0));
  }

  function reportHeight() {
    if (window.parent === window) return;
    var height = contentHeight();
    if (height === lastHeight) return;
    lastHeight = height;
    try {
      window.parent.postMessage({ type: config.heightMessage, height: height }, '*');
    } catch (e) {
      // a detached frame: nothing to tell
    }
  }

  if (window.parent !== window && window.ResizeObserver) {
    var observer = new ResizeObserver(function () { reportHeight(); });
    observer.observe(doc.body);
    observer.observe(root);
  }

  var twin = doc.getElementById('tl-twin');
  window.addEventListener('beforeprint', function () {
    if (twin) twin.open = true;
  });
  if (twin) twin.addEventListener('toggle', reportHeight);

  updateCount(total);

  // A small, read-only handle for tests and for people poking at the page from the console.
  window.timelinePage = {
    timeline: timeline,
    events: events.length,
    current: function () { return current === -1 ? null : events[current].id; },
    panelOpen: function () { return panelOpen; },
    reducedMotion: reducedMotion,
    shown: function () { return visible.filter(Boolean).length; },
    open: function (id) { return openEvent(id, { scroll: true }); }
  };
})();
