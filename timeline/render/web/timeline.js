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

  var bootConfig = readJson('timeline-config');
  if (bootConfig.lod) {
    // A large case: its data is gzipped columns (timeline/render/timeline_data.py), inflated by the browser.
    var parts = readJson('timeline-data');
    inflate(parts.core).then(function (core) { main(skeletonLod(core, bootConfig), bootConfig, parts); }, function (e) {
      var note = doc.createElement('p');
      note.className = 'tl-noscript';
      note.textContent = 'This browser cannot open the timeline\u2019s compressed data (' + e + '); a current ' +
                         'Chromium, Firefox or Safari can.';
      doc.getElementById('tl-widget').appendChild(note);
      throw e;
    });
  } else {
    main(readJson('timeline-data'), bootConfig);
  }

  /* The page. ``parts``: a large case's packed data (the rest of it is inflated once the page is ready). */
  function main(data, config, parts) {
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
      var lower = String(text || '').toLowerCase();
      // Plain ASCII has nothing to decompose (and a large case has megabytes of it).
      return /[^\u0000-\u007f]/.test(lower) ? lower.normalize('NFKD').replace(/[\u0300-\u036f]/g, '') : lower;
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
    var haystacks = [];              // event index -> its text, folded, for the search (a large case: texts)
    var texts = [];                  // a large case: per chunk of events, their texts folded into one string
    var actorsOf = [];
    /* A large case builds its search index once the rest of its data is in (loadRest). */
    var dataLoaded = !config.lod;
    if (dataLoaded) {
      indexEntities();
      indexEvents(0, events.length);
    }

    function indexEntities() {
      Object.keys(data.entities).forEach(function (id) { entityLabels.set(id, data.entities[id].label); });
    }

    function indexEvents(from, to) {
      var raw = [];
      for (var i = from; i < to; i++) {
        var ev = events[i];
        indexById.set(ev.id, i);
        var parts = [ev.label, ev.description, ev.date_label, ev.place, ev.type_labels.join(' ')];
        ev.participants.forEach(function (p) {
          parts.push(p.label);
          var entity = data.entities[p.id];
          if (entity && entity.aliases) parts.push(entity.aliases.join(' '));
        });
        ev.citations.forEach(function (c) { parts.push(c.quote, c.title, c.publisher); });
        if (config.lod) raw.push(parts.join('\n'));
        else haystacks[i] = fold(parts.join('\n'));
        actorsOf[i] = new Set(ev.participants.map(function (p) { return p.id; }));
      }
      if (config.lod) addTexts(from, raw);
    }

    /* A chunk's texts as one lower-case string (one call instead of one per event), with where each event's
       text begins; a chunk with anything but ASCII (whose folding may change lengths) is folded event by event. */
    function addTexts(from, raw) {
      var joined = raw.join('\u0000');
      var lower = joined.toLowerCase();
      if (lower.length !== joined.length || /[^\u0000-\u007f]/.test(lower)) {
        raw.forEach(function (text, k) { haystacks[from + k] = fold(text); });
        texts.push({ from: from, count: raw.length, lower: null });
        return;
      }
      var offsets = new Int32Array(raw.length + 1);
      var at = 0;
      raw.forEach(function (text, k) {
        offsets[k] = at;
        at += text.length + 1;
      });
      offsets[raw.length] = at;
      texts.push({ from: from, count: raw.length, lower: lower, offsets: offsets });
    }

    /* A large case: for each event, how many of the terms (in order) its text holds; it matches when all do. */
    function matchTerms(terms) {
      var hits = new Uint8Array(events.length);
      terms.forEach(function (term, t) {
        texts.forEach(function (chunk) {
          var k;
          if (!chunk.lower) {
            for (k = 0; k < chunk.count; k++) {
              if (hits[chunk.from + k] === t && haystacks[chunk.from + k].indexOf(term) !== -1) hits[chunk.from + k]++;
            }
            return;
          }
          var offsets = chunk.offsets;
          var pos = chunk.lower.indexOf(term);
          while (pos !== -1) {
            var lo = 0;
            var hi = chunk.count;
            while (hi - lo > 1) {  // the event whose text holds pos
              var mid = (lo + hi) >> 1;
              if (offsets[mid] <= pos) lo = mid;
              else hi = mid;
            }
            if (hits[chunk.from + lo] === t) hits[chunk.from + lo]++;
            pos = chunk.lower.indexOf(term, offsets[lo + 1]);
          }
        });
      });
      return hits;
    }

    var laneById = new Map();
    config.lanes.forEach(function (lane) { laneById.set(lane.id, lane); });

    // ---------------------------------------------------------------- items

    var grouped = config.groupBy !== 'none';
    /* vis-timeline keeps its groups in a plain object: a lane id such as "constructor" (an entity's id) would
       be Object.prototype's, and break the page. Its group ids are the lane ids with this prefix. */
    function groupId(lane) { return 'lane:' + lane; }
    var itemEvent = new Map();       // item id -> event index
    var eventItemIds = [];           // event index -> item ids
    /* A large case (config.lod) draws only the items of the events in view (see "levels of detail"). */
    var lod = !!config.lod;
    var T0 = lod ? new Float64Array(events.length) : null;  // event index -> drawn start, ms (a large case)
    var T1 = lod ? new Float64Array(events.length) : null;  // event index -> drawn end (a point's start), ms
    var itemRows = [];
    var eventRows = [];              // event index -> its item rows
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
      if (lod) {
        // Its items are made when it is drawn (itemRowsOf): its id comes with the rest of the data.
        T0[i] = g.t0;
        T1[i] = g.t1;
        eventRows.push(null);
        eventItemIds.push(null);
        return;
      }
      var startDate = localDate(g.start);
      var endDate = g.end ? localDate(g.end) : null;
      var rows = [];
      eventRows.push(rows);
      g.lanes.forEach(function (lane) {
        var id = ev.id + '|' + lane;
        var row = { id: id, event: ev.id, index: i, start: startDate, type: g.kind, className: itemClasses[i] };
        if (endDate) row.end = endDate;
        if (grouped) row.group = groupId(lane);
        itemRows.push(row);
        rows.push(row);
        itemEvent.set(id, i);
        ids.push(id);
      });
      eventItemIds.push(ids);
    });

    /* Event i's item rows (one per lane), made on first use in a large case. */
    function itemRowsOf(i) {
      if (!eventRows[i]) {
        var g = geo[i];
        var ev = events[i];
        eventRows[i] = g.lanes.map(function (lane) {
          var row = { id: ev.id + '|' + lane, event: ev.id, index: i, start: new Date(T0[i]), type: g.kind,
                      className: itemClasses[i] };
          if (g.end) row.end = new Date(T1[i]);
          if (grouped) row.group = groupId(lane);
          itemEvent.set(row.id, i);
          return row;
        });
        eventItemIds[i] = eventRows[i].map(function (row) { return row.id; });
      }
      return eventRows[i];
    }

    function itemIdsOf(i) {
      if (!eventItemIds[i]) itemRowsOf(i);
      return eventItemIds[i];
    }

    var visible = events.map(function () { return true; });
    var itemSet = new vis.DataSet(lod ? [] : itemRows);
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
    var twinItems = twinList ? Array.prototype.slice.call(twinList.children) : [];  // sparse in a large case

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
    // The bars of a large case need the room whether or not items are drawn: the box keeps its height.
    if (lod) options.height = options.maxHeight;
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
      if (config.cluster || lod) {
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
      if (lod) return lodFitWindow(indexes);
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

    // ---------------------------------------------------------------- levels of detail (a large case)

    /* A large case (config.lod) cannot draw every event: each is a DOM node that vis-timeline measures. The
       page draws bars instead, on a canvas under the items: how many of the shown events begin in each stretch
       of the visible window, stretches that get shorter as one zooms in. Once the window holds at most
       detailMax shown events, those events are drawn as the small page draws every event (with half a window
       more on each side, so that a short move needs no reload). The selected event is always drawn. Search,
       filters and the keyboard cover every event: a search lists its matches (#tl-results), a click on a bar
       lists the events that begin there, and opening one zooms to it. */
    var byStart = null;               // the shown events, by drawn start
    var starts = null;                // their drawn starts, ascending
    var loaded = null;                // what the items show: { detail, from, to, count, events: Set }
    var syncing = false;
    var densityCanvas = null;
    var densityBuckets = [];
    var RESULTS_MAX = 1000;           // matches listed by a search or a bar (a pile of 600 on a 1 January); the rest counted
    var lodStatus = doc.getElementById('tl-lod-status');
    var results = doc.getElementById('tl-results');
    var resultsList = doc.getElementById('tl-results-list');
    var resultsHeading = doc.getElementById('tl-results-heading');
    var twinNote = doc.getElementById('tl-twin-lod');
    var dateFormat = new Intl.DateTimeFormat('en', { day: 'numeric', month: 'long', year: 'numeric' });

    /* The shown events sorted by where they begin (after every change of the filters). */
    function lodIndex() {
      var idx = [];
      for (var i = 0; i < events.length; i++) if (visible[i]) idx.push(i);
      idx.sort(function (a, b) { return T0[a] - T0[b] || a - b; });
      byStart = Int32Array.from(idx);
      starts = new Float64Array(idx.length);
      for (var k = 0; k < idx.length; k++) starts[k] = T0[idx[k]];
    }

    function lowerBound(t) {
      var lo = 0;
      var hi = starts.length;
      while (lo < hi) {
        var mid = (lo + hi) >> 1;
        if (starts[mid] < t) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    }

    /* How many shown events begin in [from, to). */
    function beginIn(from, to) {
      return lowerBound(to) - lowerBound(from);
    }

    function beginning(from, to) {
      return Array.prototype.slice.call(byStart.subarray(lowerBound(from), lowerBound(to)));
    }

    function lodFitWindow(indexes) {
      var lo = Infinity;
      var hi = -Infinity;
      indexes.forEach(function (i) {
        lo = Math.min(lo, T0[i]);
        hi = Math.max(hi, T1[i]);
      });
      if (lo === Infinity) return null;
      var pad = Math.max((hi - lo) * 0.02, 3 * DAY);
      return { start: lo - pad, end: hi + pad, flips: null };
    }

    /* Draw what the window calls for: the events of a window that holds few enough, else only the selected
       one over the bars. ``force``: reload even if what is drawn still covers the window. */
    function lodSync(force) {
      if (!lod || syncing || !starts) return;
      var win = timeline.getWindow();
      var a = win.start.getTime();
      var b = win.end.getTime();
      var count = beginIn(a, b);
      var detail = count <= config.lod.detailMax;
      if (!dataLoaded) detail = false;  // nothing to draw an event with yet: bars only
      var keep = loaded && !force && loaded.detail === detail && (!detail || (loaded.from <= a && loaded.to >= b)) &&
                 (current === -1 || loaded.events.has(current));
      if (!keep) {
        var from = a;
        var to = b;
        if (detail && beginIn(a - (b - a) / 2, b + (b - a) / 2) <= 2 * config.lod.detailMax) {
          from = a - (b - a) / 2;
          to = b + (b - a) / 2;
        }
        var want = detail ? beginning(from, to) : [];
        if (current !== -1 && visible[current] && want.indexOf(current) === -1) want.push(current);
        lodLoad(want);
        loaded = { detail: detail, from: from, to: to, events: new Set(want) };
        lodTwin(detail ? beginning(a, b) : null);
      }
      lodSay(count, detail, a, b);
      drawDensity();
    }

    /* Replace the drawn items by those of ``want`` (event indexes), parked (see bulk) so that vis-timeline
       draws them in one batch. */
    function lodLoad(want) {
      var wanted = new Set();
      var add = [];
      want.forEach(function (i) {
        itemRowsOf(i).forEach(function (row) {
          wanted.add(row.id);
          if (!itemSet.get(row.id)) add.push(row);
        });
      });
      var remove = itemSet.getIds().filter(function (id) { return !wanted.has(id); });
      if (!add.length && !remove.length) return;
      syncing = true;
      try {
        bulk(function () {
          if (remove.length) itemSet.remove(remove);
          if (add.length) itemSet.add(add);
        }, null);
      } finally {
        syncing = false;
      }
      if (current !== -1) timeline.setSelection(itemIdsOf(current));
    }

    function dayText(t) {
      return dateFormat.format(new Date(t));
    }

    function lodSay(count, detail, a, b) {
      var text;
      var between = ' between ' + dayText(a) + ' and ' + dayText(b);
      if (detail) {
        text = count ? 'Showing the ' + plural(count, 'event', 'events') + ' that begin' + (count === 1 ? 's' : '') +
                       between + '.'
                     : 'No shown event begins' + between + '.';
      } else {
        text = count.toLocaleString('en') + ' events begin' + between + ': too many to draw, so the bars show ' +
               'when. Zoom in, click a bar or search to reach an event.';
      }
      if (lodStatus.textContent !== text) lodStatus.textContent = text;
      root.classList.toggle('tl-overview', !detail);
    }

    /* The list of all events of a small page is, here, the list of the events in view. */
    function lodTwin(indexes) {
      clear(twinList);
      twinItems = [];
      if (twinNote) twinNote.hidden = !!indexes;
      (indexes || []).forEach(function (i) {
        var ev = events[i];
        var g = geo[i];
        var li = el('li');
        li.setAttribute('data-event', ev.id);
        var when = el('span', 'tl-twin-when');
        var time = el('time');
        time.setAttribute('datetime', g.datetime);
        time.setAttribute('data-edtf', ev.edtf);
        if (g.marker) {
          var mark = el('span', 'tl-mark', g.marker);
          mark.setAttribute('aria-hidden', 'true');
          time.appendChild(mark);
        }
        time.appendChild(doc.createTextNode(ev.date_label));
        when.appendChild(time);
        var note = imprecision(ev);
        if (note) {
          when.appendChild(doc.createTextNode(' '));
          when.appendChild(el('span', 'tl-twin-note', '(' + note + ')'));
        }
        li.appendChild(when);
        li.appendChild(doc.createTextNode(' '));
        var link = el('a', null, ev.label);
        link.href = '#' + encodeURIComponent(ev.id);
        li.appendChild(link);
        twinList.appendChild(li);
        twinItems[i] = li;
      });
      markTwin(current);
    }

    /* Stretches of time whose bars are at least 6 px wide: days, weeks, months, quarters, years, 5 or 10 years,
       on calendar boundaries, so that the bars stay put while the window moves. */
    var UNITS = [{ days: 1, name: 'day' }, { days: 7, name: 'week' }, { months: 1, name: 'month' },
                 { months: 3, name: 'quarter' }, { months: 12, name: 'year' }, { months: 60, name: '5 years' },
                 { months: 120, name: '10 years' }, { months: 600, name: '50 years' }];
    var densityUnit = UNITS[0];
    function densityEdges(a, b, width) {
      var unit = UNITS[UNITS.length - 1];
      for (var u = 0; u < UNITS.length; u++) {
        var length = UNITS[u].days ? UNITS[u].days * DAY : UNITS[u].months * 30.44 * DAY;
        if (length * width / (b - a) >= 6) { unit = UNITS[u]; break; }
      }
      densityUnit = unit;
      var edges = [];
      var d = new Date(a);
      if (unit.days) {
        d = new Date(d.getFullYear(), d.getMonth(), d.getDate());
        if (unit.days === 7) d.setDate(d.getDate() - (d.getDay() + 6) % 7);  // Mondays
        while (edges.length < 2000) {
          edges.push(d.getTime());
          if (d.getTime() > b) break;
          d = new Date(d.getFullYear(), d.getMonth(), d.getDate() + unit.days);
        }
      } else {
        var month = Math.floor((d.getFullYear() * 12 + d.getMonth()) / unit.months) * unit.months;
        while (edges.length < 2000) {
          var t = new Date(2000, 0, 1);
          t.setFullYear(Math.floor(month / 12), month % 12, 1);
          edges.push(t.getTime());
          if (t.getTime() > b) break;
          month += unit.months;
        }
      }
      return edges;
    }

    var densityFrame = 0;
    function scheduleDensity() {
      if (lod && !densityFrame) densityFrame = window.requestAnimationFrame(drawDensity);
    }

    /* The bars: one per stretch, as high as its count against the fullest stretch in view (at least 2 px
       for one event); tall over the empty plot when the window holds too many events to draw, a low strip
       along its bottom when the events are drawn. */
    function drawDensity() {
      if (densityFrame) window.cancelAnimationFrame(densityFrame);
      densityFrame = 0;
      if (!lod || !starts) return;
      var center = widget.querySelector('.vis-panel.vis-center');
      if (!center) return;
      if (!densityCanvas || densityCanvas.parentNode !== center) {
        densityCanvas = densityCanvas || el('canvas', 'tl-density');
        densityCanvas.setAttribute('aria-hidden', 'true');
        center.insertBefore(densityCanvas, center.firstChild);
      }
      var width = center.clientWidth;
      var height = center.clientHeight;
      var ratio = window.devicePixelRatio || 1;
      if (densityCanvas.width !== Math.round(width * ratio) || densityCanvas.height !== Math.round(height * ratio)) {
        densityCanvas.width = Math.round(width * ratio);
        densityCanvas.height = Math.round(height * ratio);
        densityCanvas.style.width = width + 'px';
        densityCanvas.style.height = height + 'px';
      }
      var ctx = densityCanvas.getContext('2d');
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.clearRect(0, 0, width, height);
      var win = timeline.getWindow();
      var a = win.start.getTime();
      var b = win.end.getTime();
      var edges = densityEdges(a, b, width);
      var buckets = [];
      var most = 0;
      var lower = lowerBound(edges[0]);
      for (var k = 0; k + 1 < edges.length; k++) {
        var upper = lowerBound(edges[k + 1]);
        buckets.push({ from: edges[k], to: edges[k + 1], count: upper - lower });
        most = Math.max(most, upper - lower);
        lower = upper;
      }
      densityBuckets = buckets;
      var detail = loaded && loaded.detail;
      var room = detail ? Math.min(24, height / 6) : height - 16;
      var style = window.getComputedStyle(densityCanvas);
      ctx.fillStyle = style.color;
      ctx.globalAlpha = detail ? 0.35 : 0.8;
      var scale = width / (b - a);
      buckets.forEach(function (bucket) {
        if (!bucket.count) return;
        var x0 = (bucket.from - a) * scale;
        var x1 = (bucket.to - a) * scale;
        var h = Math.max(2, bucket.count / most * room);
        ctx.fillRect(x0 + 0.5, height - 2 - h, Math.max(1, x1 - x0 - 1), h);
      });
      ctx.globalAlpha = 1;
      if (!detail && most) {
        ctx.font = '12px ' + style.fontFamily;
        ctx.textBaseline = 'top';
        ctx.fillText('one bar per ' + densityUnit.name + ' \u00b7 highest: ' + plural(most, 'event', 'events'), 6, 6);
      }
    }

    function bucketAt(t) {
      for (var k = 0; k < densityBuckets.length; k++) {
        if (densityBuckets[k].from <= t && t < densityBuckets[k].to) return densityBuckets[k];
      }
      return null;
    }

    /* A list of events under the bar (#tl-results): at most RESULTS_MAX, each a link that opens it. */
    function showResults(heading, indexes) {
      clear(resultsList);
      resultsHeading.textContent = heading;
      indexes.slice(0, RESULTS_MAX).forEach(function (i) {
        var li = el('li');
        li.appendChild(el('span', 'tl-results-date', events[i].date_label));
        li.appendChild(doc.createTextNode(' '));
        li.appendChild(eventLink(events[i].id, events[i].label));
        resultsList.appendChild(li);
      });
      if (indexes.length > RESULTS_MAX) {
        resultsList.appendChild(el('li', 'tl-results-more', 'and ' + (indexes.length - RESULTS_MAX).toLocaleString('en') +
                                   ' more: narrow the search or the filters, or zoom in'));
      }
      results.hidden = false;
      reportHeight();
    }

    function hideResults() {
      if (!results || results.hidden) return;
      results.hidden = true;
      clear(resultsList);
      reportHeight();
    }

    /* A click on a bar of the overview lists the events that begin there and zooms to them. */
    function lodClick(props) {
      if (!dataLoaded) return;
      if (!lod || !props || !props.time || props.item || (loaded && loaded.detail)) return;
      var bucket = bucketAt(props.time.getTime());
      if (!bucket || !bucket.count) return;
      var indexes = beginning(bucket.from, bucket.to);
      showResults(plural(indexes.length, 'event begins', 'events begin') + ' between ' + dayText(bucket.from) +
                  ' and ' + dayText(bucket.to - 1), indexes);
      var pad = (bucket.to - bucket.from) / 4;
      timeline.setWindow(bucket.from - pad, bucket.to + pad, { animation: false });
      lodSync(false);
    }

    /* Bring event i into a window that draws it: the current one if it already does, else one around it. */
    function lodReveal(i) {
      var win = timeline.getWindow();
      var width = win.end - win.start;
      var drawn = loaded && loaded.detail && T0[i] >= win.start.getTime() && T1[i] <= win.end.getTime();
      if (!drawn) {
        width = loaded && loaded.detail && width <= 366 * DAY ? width : Math.max(28 * DAY, (T1[i] - T0[i]) * 1.5);
        var middle = (T0[i] + T1[i]) / 2;
        timeline.setWindow(middle - width / 2, middle + width / 2, { animation: false });
      }
      lodSync(false);
      timeline.focus(itemIdsOf(i), { zoom: false, animation: false });
    }

    if (lod) {
      lodIndex();
      timeline.on('rangechange', scheduleDensity);
      timeline.on('rangechanged', function () { lodSync(false); });
      timeline.on('changed', scheduleDensity);
      timeline.on('click', lodClick);
      if (results) resultsList.addEventListener('click', onEventLinkClick);
    }

    /* A large case's labels, sources and search index, inflated chunk by chunk once its bars are drawn; what
       needs them (a search, a filter, opening an event) waits for them (html.tl-loaded). */
    var waiting = [];
    function whenLoaded(fn) {
      if (dataLoaded) fn();
      else waiting.push(fn);
    }

    function loadRest() {
      if (doc.readyState === 'loading') {
        doc.addEventListener('DOMContentLoaded', loadRest);
        return;
      }
      var tables = null;
      var at = 0;
      var chain = inflate(parts.tables).then(function (t) {
        tables = t;
        tablesLod(tables, data);
        indexEntities();
      });
      var chunks = readJson('timeline-rest');  // after the scripts: there once the document is parsed
      chunks.forEach(function (packed) {
        chain = chain.then(function () { return inflate(packed); }).then(function (cols) {
          fillLod(cols, at, tables, data, geo);
          indexEvents(at, at + cols.ids.length);
          at += cols.ids.length;
        });
      });
      chain.then(function () {
        dataLoaded = true;
        root.classList.add('tl-loaded');
        lodSync(true);
        waiting.splice(0).forEach(function (fn) { fn(); });
      });
    }

    var ready = false;
    function markReady() {
      if (ready) return;
      ready = true;
      root.classList.add('tl-ready');
      if (lod) window.setTimeout(loadRest, 0);
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
      if (lod) lodSync(true);
      else if (events.length && !widget.querySelector('.vis-item')) return;
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
      if (lod) return { start: T0[i], end: T1[i], middle: (T0[i] + T1[i]) / 2 };
      var g = geo[i];
      var s = localDate(g.start).getTime();
      var e = g.end ? localDate(g.end).getTime() : s;
      return { start: s, end: e, middle: (s + e) / 2 };
    }

    /* Bring an event into view: centred, zoomed in enough to be drawn on its own, lane scrolled to. */
    function reveal(i) {
      var ids = itemIdsOf(i);
      if (!ids.length) return;
      if (lod) {
        lodReveal(i);
        return;
      }
      var win = timeline.getWindow();
      var width = win.end - win.start;
      var extent = eventMiddle(i);
      if (config.cluster && width > 120 * DAY && extent.end - extent.start < 120 * DAY) {
        timeline.setWindow(extent.middle - 60 * DAY, extent.middle + 60 * DAY, { animation: false });
      }
      timeline.focus(ids, { zoom: false, animation: animation() });
    }

    function selectEvent(i, how) {
      if (!dataLoaded) {
        whenLoaded(function () { selectEvent(i, how); });
        return;
      }
      how = how || {};
      if (i < 0 || i >= events.length || !visible[i]) return;
      current = i;
      timeline.setSelection(itemIdsOf(i));
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
      if (!dataLoaded) {
        whenLoaded(applyFilters);
        return;
      }
      var terms = fold(search.value).split(/\s+/).filter(Boolean);
      var actor = actorSelect.value;
      var type = typeSelect.value;
      var shown = 0;
      var laneCounts = new Map();
      var hits = lod && terms.length ? matchTerms(terms) : null;
      for (var i = 0; i < events.length; i++) {
        var ok = true;
        if (hits) ok = hits[i] === terms.length;
        else for (var t = 0; t < terms.length && ok; t++) ok = haystacks[i].indexOf(terms[t]) !== -1;
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
      if (lod) lodFiltered(terms, shown);
      if (shown) fitted = true;
      updateCount(shown);
      root.classList.toggle('tl-filtered', shown !== total);
      if (current !== -1 && !visible[current]) {
        clearSelection();
        closePanel(false);
      } else if (current !== -1) {
        timeline.setSelection(itemIdsOf(current));
      }
      reportHeight();
    }

    /* A large case: the bars and items follow the filters; a search lists its matches. */
    function lodFiltered(terms, shown) {
      lodIndex();
      lodSync(true);
      if (terms.length) {
        showResults(plural(shown, 'event matches', 'events match') + ' \u201c' + search.value.trim() + '\u201d',
                    Array.prototype.slice.call(byStart));
      } else {
        hideResults();
      }
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
      if (!dataLoaded) {
        whenLoaded(function () { openFromHash(initial); });
        return;
      }
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
      open: function (id) { return openEvent(id, { scroll: true }); },
      // A large case: whether the window draws its events, and the bars in view ({from, to, count}).
      detail: function () { return !lod || !!(loaded && loaded.detail); },
      density: function () { return densityBuckets.map(function (b) { return b.count; }); }
    };
  }

  // ---------------------------------------------------------------- the compact data of a large case

  /* One packed part (timeline/render/timeline_data.py): base64 of gzipped JSON, inflated by the browser. */
  function inflate(packed) {
    var text = atob(packed);
    var bytes = new Uint8Array(text.length);
    for (var k = 0; k < text.length; k++) bytes[k] = text.charCodeAt(k);
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Response(stream).json();
  }

  /* What the first view needs, from the core part: each event's drawn extent and lanes; the rest of each
     event (its label, sources, ...) is filled in by fillLod once the page is ready. */
  function skeletonLod(core, config) {
    var DAY_MS = 86400000;
    var flags = config.lod.flags;
    var isoCache = new Map();
    var msCache = new Map();
    function iso(day) {
      var out = isoCache.get(day);
      if (out === undefined) isoCache.set(day, (out = new Date(day * DAY_MS).toISOString().slice(0, 10)));
      return out;
    }
    function localMs(day) {  // the day's local midnight, as localDate (main) makes it
      var out = msCache.get(day);
      if (out === undefined) {
        var utc = new Date(day * DAY_MS);
        var d = new Date(2000, 0, 1);
        d.setFullYear(utc.getUTCFullYear(), utc.getUTCMonth(), utc.getUTCDate());
        msCache.set(day, (out = d.getTime()));
      }
      return out;
    }
    var laneIds = config.lanes.map(function (lane) { return lane.id; });
    var events = [];
    var geo = [];
    for (var i = 0; i < core.start.length; i++) {
      var f = core.flags[i];
      events.push({ id: '', label: '', approximate: !!(f & flags.approximate), uncertain: !!(f & flags.uncertain) });
      var start = core.start[i];
      var length = core.length[i];
      geo.push({ id: '', kind: f & flags.range ? 'range' : 'point', start: iso(start),
                 end: length ? iso(start + length) : null, t0: localMs(start), t1: localMs(start + length),
                 open: f & flags.open_end ? 'end' : (f & flags.open_start ? 'start' : ''), marker: '', datetime: '',
                 lanes: core.lanes ? core.lanes[i].map(function (k) { return laneIds[k]; }) : ['all'] });
    }
    config.events = geo;
    return { caseTitle: '', filters: {}, events: events, claims: {}, entities: {}, sources: {} };
  }

  /* The shared tables into ``data`` (entities, claims, sources, media). */
  function tablesLod(tables, data) {
    tables.entities.forEach(function (row) {
      data.entities[row[0]] = { id: row[0], label: row[1], kind: row[2], kind_label: row[3], description: row[4],
                                aliases: row[5], wikidata: row[6], member_of: row[7] };
    });
    Object.assign(data.claims, tables.claimTable);
    Object.assign(data.sources, tables.sourceTable);
    data.caseTitle = tables.caseTitle;
    data.filters = tables.filters;
    Object.keys(tables.media).forEach(function (i) { data.events[Number(i)].media = tables.media[i]; });
  }

  /* One chunk of per-event columns into the events from index ``at`` on. */
  function fillLod(cols, at, tables, data, geo) {
    var strings = tables.strings;
    var entityRows = tables.entities;
    var sources = tables.sources;
    function typeIds(t) { return tables.typeIds[t]; }
    function typeLabels(t) { return tables.typeLabels[t]; }
    for (var k = 0; k < cols.ids.length; k++) {
      var ev = data.events[at + k];
      var g = geo[at + k];
      var participants = [];
      var actors = cols.actors[k];
      for (var a = 0; a < actors.length; a += 2) {
        var row = entityRows[actors[a]];
        participants.push({ id: row[0], label: row[1], role: strings[actors[a + 1]], kind: row[2] });
      }
      var citations = [];
      var cites = cols.cites[k];
      for (var c = 0; c < cites.length; c += 2) {
        var s = sources[cites[c]];
        citations.push({ source: s[0], quote: cites[c + 1], title: s[1], publisher: s[2], published: s[3],
                         url: s[4] });
      }
      ev.id = g.id = cols.ids[k];
      ev.label = cols.labels[k];
      ev.description = cols.descriptions[k];
      ev.edtf = strings[cols.edtf[k]];
      ev.date_label = strings[cols.dateLabel[k]];
      ev.unit = strings[cols.unit[k]];
      ev.basis = strings[cols.basis[k]];
      ev.date_note = strings[cols.note[k]];
      ev.place = strings[cols.place[k]];
      ev.types = cols.types[k].map(typeIds);
      ev.type_labels = cols.types[k].map(typeLabels);
      ev.participants = participants;
      ev.citations = citations;
      ev.claims = cols.claims[k];
      g.marker = strings[cols.marker[k]];
      g.datetime = strings[cols.datetime[k]];
    }
  }
})();
