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
  root.classList.add('tl-js', window.parent === window ? 'tl-top' : 'tl-framed');

  function readJson(id) {
    return JSON.parse(doc.getElementById(id).textContent);
  }

  var data = readJson('timeline-data');
  var config = readJson('timeline-config');
  var events = data.events;          // in date order
  var geo = config.events;           // aligned with events: drawn extent, lanes, marker
  var DAY = 86400000;
  var TALL_FROM = 80;               // more events than this: the timeline scrolls inside a box of fixed height
  var MARGIN = 16;                  // px kept free at both ends of the frame when every event is fitted in

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
  var itemClasses = [];            // event index -> its items' class names
  geo.forEach(function (g, i) {
    var ev = events[i];
    var ids = [];
    var classes = ['tl-item', g.kind === 'range' ? 'tl-range' : 'tl-point'];
    if (ev.approximate) classes.push('tl-approx');
    if (ev.uncertain) classes.push('tl-uncertain');
    if (g.open === 'end') classes.push('tl-open-end');
    if (g.open === 'start') classes.push('tl-open-start');
    itemClasses.push(classes.join(' '));
    var startDate = localDate(g.start);
    var endDate = g.end ? localDate(g.end) : null;
    g.lanes.forEach(function (lane) {
      var id = ev.id + '|' + lane;
      var row = { id: id, event: ev.id, index: i, start: startDate, type: g.kind, className: itemClasses[i] };
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
    var wrap = itemContent(i);
    contentCache.set(item.id, wrap);
    return wrap;
  }

  /* An event's label: its date (with the marker of an imprecise one), then its whole title, which wraps
     between words (CSS: --tl-label-width); never cut. */
  function itemContent(i) {
    var ev = events[i];
    var g = geo[i];
    var wrap = el('span', 'tl-item-text');
    if (g.marker) wrap.appendChild(el('span', 'tl-mark', g.marker));
    wrap.appendChild(el('span', 'tl-item-date', ev.date_label));
    wrap.appendChild(doc.createTextNode(' '));
    wrap.appendChild(el('span', 'tl-item-label', ev.label));
    if (g.open === 'end') {
      var arrow = el('span', 'tl-mark tl-mark-end', '\u2192');
      arrow.setAttribute('aria-hidden', 'true');
      wrap.appendChild(arrow);
    }
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
  /* A few lanes, or one lane of a case small enough to read as a whole, take the height they need and the
     page scrolls; many lanes, or many events, scroll inside a box of fixed height. */
  var tall = (grouped && config.lanes.length > 6) || events.length > TALL_FROM;
  var options = {
    template: itemTemplate,
    groupTemplate: groupTemplate,
    xss: { disabled: false },
    zoomKey: 'ctrlKey',
    horizontalScroll: false,
    verticalScroll: tall,
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
    // Room for the labels of the last events, right of their dates (fitWindow below squeezes time for them).
    zoomMax: span * 8,
    min: new Date(start.getTime() - span),
    max: new Date(end.getTime() + span * 6),
    // Created "parked" on an empty stretch before the first event, then moved to fit all events (below):
    // vis-timeline measures every item added inside the window one by one (a forced layout each), which
    // takes tens of seconds for 10,000 items; items added outside the window are drawn in one batch later.
    start: new Date(start.getTime() - span),
    end: new Date(start.getTime() - span + 7 * DAY),
    locale: 'en',
    onInitialDrawComplete: function () { window.setTimeout(maybeReady, 0); }
  };
  if (tall) options.maxHeight = Math.max(420, Math.min(720, Math.round(window.innerHeight * 0.8)));
  if (!config.cluster) {
    // Stacked in date order, the earliest event on top: a column of labels that reads down like a list.
    options.order = function (a, b) { return a.index - b.index; };
  }
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

  // ---------------------------------------------------------------- fitting every event in

  /* How far each event's label reaches right of its date, in px: measured once from copies of the labels
     built as vis-timeline builds them (so the page's CSS applies), out of sight. A large case is clustered,
     its labels mostly hidden: it gets the widest a label can be instead of a measure of each. */
  var labelWidths = null;
  var labelMax = 0;
  function measureLabels() {
    var box = el('div', 'tl-measure');
    box.setAttribute('aria-hidden', 'true');
    // Inside the time axis's panel: its font size, and its width for the labels' cqw.
    var host = widget.querySelector('.vis-panel.vis-center') || widget;
    host.appendChild(box);
    if (config.cluster) {
      var probe = el('span', 'tl-item-text', 'x');
      box.appendChild(probe);
      labelMax = parseFloat(window.getComputedStyle(probe).maxWidth) || 300;
      labelWidths = null;
    } else {
      var nodes = geo.map(function (g, i) {
        var item = el('div', 'vis-item ' + (g.kind === 'range' ? 'vis-range ' : 'vis-point ') + itemClasses[i]);
        var content = el('div', 'vis-item-content');
        content.appendChild(itemContent(i));
        item.appendChild(content);
        box.appendChild(item);
        return content;
      });
      // A point's label starts just right of its dot (vis-timeline: the dot's width and half of it again).
      labelWidths = nodes.map(function (node, i) {
        return node.getBoundingClientRect().width + (geo[i].kind === 'range' ? 2 : 14);
      });
    }
    host.removeChild(box);
  }

  function frameWidth() {
    var center = widget.querySelector('.vis-panel.vis-center');
    var left = widget.querySelector('.vis-panel.vis-left');
    return (center && center.clientWidth) || widget.clientWidth - (left ? left.offsetWidth : 0);
  }

  /* The window that shows the given events whole, labels included, with MARGIN px free at both ends, and
     which of them have their label left of their date (``flips``, see patchFlips).

     All of time across the frame (px per ms: ``scale``) if it can be; a label that would run past the right
     end goes left of its date instead (a bar's label then ends where the bar ends), if it fits there. Then
     time is squeezed until every label still on the right ends inside the frame; a flipped label that no
     longer fits on the left comes back to the right, and so on until nothing changes. A label wider than three
     quarters of the frame gets that much. A large, clustered case gets no flips. */
  function fitWindow(indexes) {
    var lo = Infinity;
    var hi = -Infinity;
    indexes.forEach(function (i) {
      var m = eventMiddle(i);
      lo = Math.min(lo, m.start);
      hi = Math.max(hi, m.end);
    });
    if (lo === Infinity) return null;
    var width = Math.max(frameWidth(), 120);
    var usable = width - 2 * MARGIN;
    var most = width / (options.zoomMin * 1.01);  // the closest zoom vis-timeline allows
    var label = function (i) { return labelWidths ? labelWidths[i] : labelMax; };
    var rightEnd = function (i) { return geo[i].kind === 'range' ? eventMiddle(i).end : eventMiddle(i).start; };
    var fitsRight = function (i, scale) {
      var m = eventMiddle(i);
      return (m.start - lo) * scale + label(i) <= usable && (m.end - lo) * scale <= usable;
    };
    var fitsLeft = function (i, scale) {
      return (rightEnd(i) - lo) * scale >= label(i) && (eventMiddle(i).end - lo) * scale <= usable;
    };
    var scale = hi > lo ? Math.min(usable / (hi - lo), most) : most;
    var flips = new Set();
    if (labelWidths) {
      indexes.forEach(function (i) {
        if (!fitsRight(i, scale) && fitsLeft(i, scale)) flips.add(i);
      });
    }
    for (var round = 0; round <= indexes.length; round++) {
      var squeezed = scale;
      indexes.forEach(function (i) {
        if (flips.has(i)) return;
        var m = eventMiddle(i);
        if (m.start > lo) squeezed = Math.min(squeezed, Math.max(usable - label(i), usable / 4) / (m.start - lo));
      });
      var back = [];
      flips.forEach(function (i) { if (!fitsLeft(i, squeezed)) back.push(i); });
      back.forEach(function (i) { flips.delete(i); });
      if (!back.length) {
        scale = squeezed;
        break;
      }
    }
    var length = width / scale;
    var from = lo - MARGIN / scale;
    return { start: from, end: from + length, flips: flips };
  }

  function fitAllWindow() {
    return fitWindow(visibleOrder());
  }

  /* Set each event's label on the side fitWindow chose (items whose side changes are redrawn). */
  function applyFlips(flips) {
    if (!flipsPatched || !flips) return;
    var changes = [];
    for (var i = 0; i < events.length; i++) {
      var want = flips.has(i);
      if (want === !!flipped[i]) continue;
      flipped[i] = want;
      var className = itemClasses[i] + (want ? ' tl-flip' : '');
      eventItemIds[i].forEach(function (id) { changes.push({ id: id, className: className, flip: want }); });
    }
    if (changes.length) itemSet.update(changes);
  }

  /* A label left of its date: vis-timeline draws labels right of their dates only, and stacks items by the
     room it thinks they take. For an item marked ``flip`` the room is moved left of the date (a point: the
     label ends at its dot; a bar: the label ends where the bar ends); CSS moves the label there (.tl-flip).
     Guarded: a vis-timeline without these internals draws every label on the right (flipsPatched false, and
     fitWindow's squeeze still keeps every label inside the frame, with no flip asked for). */
  var flipped = [];
  var flipsPatched = false;
  function patchFlips() {
    var items = timeline.itemSet && timeline.itemSet.items;
    if (!items || !labelWidths) return;
    var protos = {};
    Object.keys(items).forEach(function (id) {
      var item = items[id];
      if (item && item.data && !protos[item.data.type]) protos[item.data.type] = Object.getPrototypeOf(item);
    });
    var patched = 0;
    [['point', flipPoint], ['range', flipRange]].forEach(function (pair) {
      var proto = protos[pair[0]];
      if (!proto || typeof proto.repositionX !== 'function' || proto.__tlFlip) return;
      var own = proto.repositionX;
      proto.repositionX = function () {
        var out = own.apply(this, arguments);
        if (this.data && this.data.flip && !this.options.rtl) pair[1].call(this);
        return out;
      };
      proto.__tlFlip = true;
      patched++;
    });
    var kinds = Object.keys(protos).length;
    flipsPatched = patched > 0 && patched === kinds;
  }

  function flipPoint() {
    if (!this.props || !this.props.dot || typeof this.width !== 'number') return;
    var at = this.conversion.toScreen(this.data.start);
    this.left = at - this.width;
    this.width += this.props.dot.width;
  }

  function flipRange() {
    var content = this.props && this.props.content ? this.props.content.width : 0;
    var bar = parseFloat(this.dom && this.dom.box ? this.dom.box.style.width : '') || 0;
    if (!this.overflow || content <= bar) return;
    this.dom.content.style.transform = 'translateX(' + (bar - content) + 'px)';
    this.left += bar - content;
    this.width = content;
  }

  measureLabels();
  patchFlips();
  // Whether the view is still the fitted one: a change of the frame's width then fits the events again.
  var fitted = true;
  var firstFit = fitWindow(events.map(function (ev, i) { return i; })) ||
                 { start: start.getTime(), end: end.getTime() };
  applyFlips(firstFit.flips);
  // vis-timeline applies options.start/end again on its first draw, so they are replaced, not just the window
  // (and "cluster" is repeated: setOptions without it turns clustering off).
  timeline.setOptions({ start: new Date(firstFit.start), end: new Date(firstFit.end),
                        cluster: options.cluster || false });
  timeline.setWindow(firstFit.start, firstFit.end, { animation: false });

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
    selectEvent(next, { open: true });
  }

  function edge(last) {
    var order = visibleOrder();
    if (order.length) selectEvent(order[last ? order.length - 1 : 0], { open: true });
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

  /* A narrow page of its own (not in a frame, whose height follows its content) shows the details in a sheet
     over the bottom of the screen (CSS: .tl-top, max-width 64rem): the timeline stays where it is, and the
     selected event is scrolled above the sheet if the sheet covers it. */
  function inSheet() {
    return root.classList.contains('tl-top') && window.getComputedStyle(panel).position === 'fixed';
  }

  function keepAboveSheet(i) {
    var item = widget.querySelector('.vis-item.vis-selected[data-event]');
    if (!item || current !== i) return;
    var top = panel.getBoundingClientRect().top;
    var box = item.getBoundingClientRect();
    if (box.bottom > top - 8) window.scrollBy(0, box.bottom - top + 24);
    else if (box.top < 0) window.scrollBy(0, box.top - 24);
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
    var sheet = inSheet();
    root.classList.toggle('tl-sheet-open', sheet);
    if (sheet) panel.scrollTop = 0;
    if (moveFocus) {
      var title = doc.getElementById('tl-detail-title');
      if (title) title.focus({ preventScroll: sheet });
    }
    if (sheet) {
      keepAboveSheet(i);
    } else if (!moveFocus && showPanel && panelBelow()) {
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
    root.classList.remove('tl-sheet-open');
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

  /* Fit the shown events, labels whole (fitWindow: from their dates and measured labels; vis-timeline's fit()
     measures every item's box and leaves the labels of the last events outside the frame). */
  function fitAll() {
    var target = fitAllWindow();
    fitted = true;
    if (!target) return;
    applyFlips(target.flips);
    timeline.setWindow(target.start, target.end, { animation: animation() });
  }

  doc.getElementById('tl-zoom-in').addEventListener('click', function () { zoom(true); });
  doc.getElementById('tl-zoom-out').addEventListener('click', function () { zoom(false); });
  doc.getElementById('tl-fit').addEventListener('click', fitAll);
  doc.getElementById('tl-prev').addEventListener('click', function () { step(-1); });
  doc.getElementById('tl-next').addEventListener('click', function () { step(1); });

  // Moving or zooming by hand leaves the fitted view; Fit all (and a filter) fits again.
  timeline.on('rangechanged', function (props) {
    if (props && props.byUser) fitted = false;
  });

  /* A new frame width (a phone turned, a window resized, a column of a course page): labels wrap to another
     width, so they are measured again, and the fitted view is fitted again. */
  var lastWidth = widget.clientWidth;
  var refitTimer = null;
  if (window.ResizeObserver) {
    new ResizeObserver(function () {
      if (widget.clientWidth === lastWidth) return;
      lastWidth = widget.clientWidth;
      window.clearTimeout(refitTimer);
      refitTimer = window.setTimeout(function () {
        measureLabels();
        if (!fitted) return;
        var target = fitAllWindow();
        if (!target) return;
        applyFlips(target.flips);
        timeline.setWindow(target.start, target.end, { animation: false });
      }, 120);
    }).observe(widget);
  }

  // ---------------------------------------------------------------- filters

  /* On a narrow frame the two lists hide behind a "Filters" button (CSS); it says whether they are open. */
  var filtersToggle = doc.getElementById('tl-filters-toggle');
  var filterFields = doc.getElementById('tl-filter-fields');
  filtersToggle.addEventListener('click', function () {
    var open = filtersToggle.getAttribute('aria-expanded') !== 'true';
    filtersToggle.setAttribute('aria-expanded', open ? 'true' : 'false');
    filterFields.classList.toggle('tl-open', open);
    if (open) actorSelect.focus();
    reportHeight();
  });

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
    var target = shown ? fitAllWindow() : null;  // the window of fitAll(), without animation inside bulk()
    bulk(function () {
      if (target) applyFlips(target.flips);
      itemView.refresh();
      if (groupSet) {
        var changes = [];
        groupSet.forEach(function (group) {
          var want = laneCounts.has(group.lane);
          if (group.visible !== want) changes.push({ id: group.id, visible: want });
        });
        if (changes.length) groupSet.update(changes);
      }
    }, target);
    if (shown) fitted = true;
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
