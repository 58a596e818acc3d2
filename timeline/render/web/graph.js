/* The network page of `timeline render graph`: the vis-network graph, its panels, search, keyboard model.
 *
 * Everything from the case (labels, quotes, titles, URLs) is untrusted: the DOM is built with
 * createElement/textContent only, links only for http(s) URLs, tooltips are plain text. Key listeners
 * sit on this page's own elements, never on document or window, so a host page keeps its keys.
 * Exposes window.timelineGraph (the vis.Network) and window.timelineGraphPage (a small API).
 */
(function () {
  'use strict';

  var data = JSON.parse(document.getElementById('graph-data').textContent);
  var config = data.config || {};
  var motionQuery = window.matchMedia ? window.matchMedia('(prefers-reduced-motion: reduce)') : null;
  var container = document.getElementById('tg-network');
  var panel = document.getElementById('tg-panel');
  var panelTitle = document.getElementById('tg-panel-title');
  var panelBody = document.getElementById('tg-panel-body');
  var panelClose = document.getElementById('tg-panel-close');
  var live = document.getElementById('tg-live');
  var search = document.getElementById('tg-search-input');
  var list = document.getElementById('tg-search-list');
  var MIN_SCALE = 0.03;
  var MAX_SCALE = 4;
  var MAX_LIST = 150;

  function reducedMotion() { return !!(motionQuery && motionQuery.matches); }
  function animation() { return reducedMotion() ? false : { duration: 350, easingFunction: 'easeInOutQuad' }; }

  // ------------------------------------------------------------------ indexes
  var nodeById = Object.create(null);  // no prototype: an id such as "constructor" is just an id
  var order = [];
  data.nodes.forEach(function (n) { nodeById[n.id] = n; order.push(n.id); });  // sorted by name in Python
  var edgeById = Object.create(null);
  var links = Object.create(null);  // node id -> [{other, edge}]
  data.nodes.forEach(function (n) { links[n.id] = []; });
  data.edges.forEach(function (e) {
    edgeById[e.id] = e;
    links[e.from].push({ other: e.to, edge: e });
    links[e.to].push({ other: e.from, edge: e });
  });
  Object.keys(links).forEach(function (id) {
    links[id].sort(function (a, b) { return compareNames(nodeById[a.other].name, nodeById[b.other].name); });
  });

  function compareNames(a, b) {
    var x = a.toLowerCase();
    var y = b.toLowerCase();
    return x < y ? -1 : (x > y ? 1 : 0);
  }

  // ------------------------------------------------------------------ the network
  // Edge labels: all of them on a small graph; on a bigger one only around what is selected or hovered,
  // since dozens of labels round a hub overlap into noise (the hover text and panel always say it all).
  var EDGE_LABELS_ALWAYS = 40;
  var labelsOnDemand = data.edges.length > EDGE_LABELS_ALWAYS;
  var edgeSet = new vis.DataSet(data.edges.map(function (e) {
    if (!labelsOnDemand || !e.label) { return e; }
    var copy = {};
    Object.keys(e).forEach(function (k) { copy[k] = e[k]; });
    copy.label = '';
    return copy;
  }));
  var network = new vis.Network(container, {
    nodes: new vis.DataSet(data.nodes),
    edges: edgeSet
  }, data.options);
  var labelled = {};
  var hovered = null;

  function refreshEdgeLabels() {
    if (!labelsOnDemand) { return; }
    var wanted = {};
    network.getSelectedEdges().forEach(function (id) { wanted[id] = true; });
    if (hovered && links[hovered]) { links[hovered].forEach(function (l) { wanted[l.edge.id] = true; }); }
    var changes = [];
    Object.keys(labelled).forEach(function (id) {
      // vis-network keeps an edge's old label when given '' or null: a space clears it.
      if (!wanted[id]) { changes.push({ id: id, label: ' ' }); delete labelled[id]; }
    });
    Object.keys(wanted).forEach(function (id) {
      if (!labelled[id] && edgeById[id] && edgeById[id].label) {
        changes.push({ id: id, label: edgeById[id].label });
        labelled[id] = true;
      }
    });
    if (changes.length) { edgeSet.update(changes); }
  }
  ['select', 'deselect', 'selectNode', 'selectEdge', 'deselectNode', 'deselectEdge'].forEach(function (name) {
    network.on(name, refreshEdgeLabels);
  });
  network.on('hoverNode', function (params) { hovered = params.node; refreshEdgeLabels(); });
  network.on('blurNode', function () { hovered = null; refreshEdgeLabels(); });
  var frame = container.querySelector('.vis-network') || container;
  frame.setAttribute('role', 'application');
  frame.setAttribute('aria-roledescription', 'network graph');
  frame.setAttribute('aria-label', 'Network of ' + plural(countEntities(), 'entity', 'entities') +
    '. Arrow keys move between them in name order, Enter opens details, Escape closes them.');
  frame.setAttribute('aria-describedby', 'tg-help');
  if (frame.tabIndex !== 0) { frame.tabIndex = 0; }

  var current = null;  // the node the keyboard is on
  var panelFor = null; // {type: 'node'|'edge', id}

  function countEntities() {
    return data.nodes.filter(function (n) { return n.category !== 'event'; }).length;
  }

  function plural(n, one, many) { return n + ' ' + (n === 1 ? one : (many || one + 's')); }

  network.on('afterDrawing', function (ctx) {
    if (!current || !keyboardFocused()) { return; }
    var box = network.getBoundingBox(current);
    if (!box) { return; }
    var scale = network.getScale();
    var pad = 6 / scale;
    ctx.save();
    ctx.lineWidth = 3 / scale;
    ctx.strokeStyle = '#0b57d0';
    ctx.setLineDash([]);
    ctx.strokeRect(box.left - pad, box.top - pad, box.right - box.left + 2 * pad, box.bottom - box.top + 2 * pad);
    ctx.lineWidth = 1.5 / scale;
    ctx.strokeStyle = '#ffffff';
    ctx.strokeRect(box.left - pad - 2.2 / scale, box.top - pad - 2.2 / scale,
      box.right - box.left + 2 * pad + 4.4 / scale, box.bottom - box.top + 2 * pad + 4.4 / scale);
    ctx.restore();
  });

  // The ring is drawn for keyboard focus only (:focus-visible), as the browser does for its own outlines.
  function keyboardFocused() {
    try { return frame.matches(':focus-visible'); } catch (e) { return document.activeElement === frame; }
  }
  frame.addEventListener('focus', function () { network.redraw(); });
  frame.addEventListener('blur', function () { network.redraw(); });

  function announce(text) { live.textContent = text; }

  function describe(id) {
    var n = nodeById[id];
    return n.name + ', ' + n.kindLabel;
  }

  function ensureVisible(id) {
    var pos = network.getPosition(id);
    var scale = network.getScale();
    if (scale < 0.7) {
      network.moveTo({ position: pos, scale: 1, animation: animation() });
      return;
    }
    var dom = network.canvasToDOM(pos);
    var margin = 60;
    var covered = panelCovers();
    var right = frame.clientWidth - covered;
    if (dom.x < margin || dom.y < margin || dom.x > right - margin || dom.y > frame.clientHeight - margin) {
      network.moveTo({ position: { x: pos.x + covered / 2 / scale, y: pos.y }, scale: scale, animation: animation() });
    }
  }

  // How many px at the right of the canvas the panel hides (0 when closed, or below the canvas on narrow screens).
  function panelCovers() {
    if (panel.hidden || window.getComputedStyle(panel).position !== 'absolute') { return 0; }
    return panel.offsetWidth + 16;
  }

  function setCurrent(id, options) {
    options = options || {};
    if (!nodeById[id]) { return; }
    current = id;
    network.selectNodes([id], true);
    refreshEdgeLabels();
    if (options.reveal !== false) { ensureVisible(id); }
    announce(describe(id));
    network.redraw();
  }

  function focusNode(id, options) {
    options = options || {};
    if (!nodeById[id]) { return false; }
    current = id;
    network.selectNodes([id], true);
    refreshEdgeLabels();
    if (options.open !== false) { openNode(id, { focusPanel: !!options.focusPanel, noPan: true }); }
    var scale = Math.max(network.getScale(), 1.2);
    var pos = network.getPosition(id);
    var shift = panelCovers() / 2 / scale;  // centre it in the part of the canvas the panel leaves free
    network.moveTo({ position: { x: pos.x + shift, y: pos.y }, scale: scale, animation: animation() });
    announce(describe(id));
    network.redraw();
    return true;
  }

  function move(delta) {
    if (!order.length) { return; }
    var index = current === null ? (delta > 0 ? -1 : order.length) : order.indexOf(current);
    var next = (index + delta + order.length) % order.length;
    setCurrent(order[next]);
  }

  frame.addEventListener('keydown', function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) { return; }
    var key = event.key;
    var handled = true;
    if (key === 'ArrowRight' || key === 'ArrowDown') {
      move(1);
    } else if (key === 'ArrowLeft' || key === 'ArrowUp') {
      move(-1);
    } else if (key === 'Home') {
      setCurrent(order[0]);
    } else if (key === 'End') {
      setCurrent(order[order.length - 1]);
    } else if (key === 'Enter' || key === ' ') {
      if (current === null) { move(1); } else { openNode(current, { focusPanel: true }); }
    } else if (key === 'Escape') {
      if (panelFor) { closePanel(false); } else { handled = false; }
    } else if (key === '+' || key === '=') {
      zoomBy(1.25);
    } else if (key === '-' || key === '_') {
      zoomBy(0.8);
    } else {
      handled = false;
    }
    if (handled) { event.preventDefault(); event.stopPropagation(); }
  });

  network.on('click', function (params) {
    if (params.nodes && params.nodes.length) {
      setCurrent(params.nodes[0], { reveal: false });
      openNode(params.nodes[0], {});
    } else if (params.edges && params.edges.length) {
      openEdge(params.edges[0], {});
    } else {
      closePanel(false);
    }
  });

  // ------------------------------------------------------------------ zoom and view
  function clampScale(s) { return Math.min(MAX_SCALE, Math.max(MIN_SCALE, s)); }

  function zoomBy(factor) {
    network.moveTo({ scale: clampScale(network.getScale() * factor), animation: animation() });
  }

  function fitAll() { network.fit({ animation: animation() }); }

  // Wheel zooms only with Ctrl or Cmd (and trackpad pinch, which sends ctrlKey); plain wheel scrolls the page.
  container.addEventListener('wheel', function (event) {
    if (!(event.ctrlKey || event.metaKey)) { return; }
    event.preventDefault();
    var rect = frame.getBoundingClientRect();
    var dom = { x: event.clientX - rect.left, y: event.clientY - rect.top };
    var under = network.DOMtoCanvas(dom);
    var scale = clampScale(network.getScale() * (event.deltaY < 0 ? 1.15 : 1 / 1.15));
    network.moveTo({
      scale: scale,
      position: { x: under.x - (dom.x - rect.width / 2) / scale, y: under.y - (dom.y - rect.height / 2) / scale },
      animation: false
    });
  }, { passive: false });

  document.getElementById('tg-zoom-in').addEventListener('click', function () { zoomBy(1.25); });
  document.getElementById('tg-zoom-out').addEventListener('click', function () { zoomBy(0.8); });
  document.getElementById('tg-fit').addEventListener('click', fitAll);

  // ------------------------------------------------------------------ DOM helpers (text only)
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  // The URL if the browser reads it as an absolute http(s) URL ("h ttp://x" is relative: no link).
  function safeUrl(url) {
    if (typeof url !== 'string' || !url) { return null; }
    var probe = url.replace(/^[\u0000-\u0020]+|[\u0000-\u0020]+$/g, '').replace(/[\t\n\r]/g, '');
    if (!/^https?:\/\//i.test(probe)) { return null; }
    try {
      var parsed = new URL(url);
      return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
    } catch (e) {
      return null;
    }
  }

  function externalLink(url, text) {
    var href = safeUrl(url);
    if (!href) { return null; }
    var a = el('a', null, text);
    a.href = href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    return a;
  }

  // A link to another node: a real #id link (it can be copied or opened anew), handled in place.
  function nodeButton(id, text) {
    var a = el('a', 'tg-nodelink', text || nodeById[id].name);
    a.href = '#' + encodeURIComponent(id);
    a.addEventListener('click', function (event) {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey) { return; }
      event.preventDefault();
      focusNode(id, { open: true, focusPanel: true });
    });
    return a;
  }

  function nameOf(id) {
    if (nodeById[id]) { return nodeById[id].name; }
    return id;
  }

  function citationList(citations) {
    var ul = el('ul', 'tg-citations');
    citations.forEach(function (c) {
      var li = el('li');
      li.appendChild(el('blockquote', null, c.quote));
      var src = data.sources[c.source] || { title: c.source };
      var cite = el('div', 'tg-cite');
      cite.appendChild(el('cite', null, src.title));
      var bits = [src.publisher, src.published].filter(Boolean).join(', ');
      if (bits) { cite.appendChild(document.createTextNode(' — ' + bits)); }
      var link = externalLink(src.url, 'open the article');
      if (link) {
        cite.appendChild(document.createTextNode(' · '));
        cite.appendChild(link);
      }
      li.appendChild(cite);
      ul.appendChild(li);
    });
    return ul;
  }

  function eventBlock(eventId, heading, line) {
    var ev = data.events[eventId];
    var box = el('div', 'tg-event');
    if (!ev) { box.appendChild(el('p', null, eventId)); return box; }
    box.appendChild(el(heading || 'h3', null, ev.label));
    var meta = [ev.date].concat(ev.types.length ? [ev.types.join(', ')] : []);
    if (ev.place) { meta.push(ev.place); }
    box.appendChild(el('p', 'tg-meta', meta.join(' · ')));
    if (line) { box.appendChild(el('p', null, line)); }
    if (ev.description) { box.appendChild(el('p', null, ev.description)); }
    if (ev.citations.length) {
      box.appendChild(el('h4', null, plural(ev.citations.length, 'citation')));
      box.appendChild(citationList(ev.citations));
    } else {
      box.appendChild(el('p', 'tg-meta', 'No quoted source for this event.'));
    }
    return box;
  }

  // ------------------------------------------------------------------ the panel
  function showPanel(title, body, options, around) {
    panelTitle.textContent = title;
    while (panelBody.firstChild) { panelBody.removeChild(panelBody.firstChild); }
    panelBody.appendChild(body);
    panelBody.scrollTop = 0;
    panel.hidden = false;
    if (around && !(options && options.noPan)) { keepClearOfPanel(around); }
    if (options && options.focusPanel) { panelTitle.focus(); }
  }

  // On wide screens the panel lies over the right of the canvas: move what it is about out from under it.
  function keepClearOfPanel(point) {
    if (!panelCovers()) { return; }
    var dom = network.canvasToDOM(point);
    var free = frame.clientWidth - panelCovers();
    if (dom.x < free - 30 && dom.x > 30) { return; }
    var scale = network.getScale();
    var view = network.getViewPosition();
    var shift = (dom.x - free / 2) / scale;
    network.moveTo({ position: { x: view.x + shift, y: view.y }, scale: scale, animation: animation() });
  }

  function openNode(id, options) {
    var n = nodeById[id];
    if (!n) { return; }
    panelFor = { type: 'node', id: id };
    var body = document.createDocumentFragment();
    if (n.category === 'event') {
      var ev = data.events[n.eventId];
      body.appendChild(el('p', 'tg-meta', 'Event · ' + ev.date + (ev.types.length ? ' · ' + ev.types.join(', ') : '')));
      if (ev.description) { body.appendChild(el('p', null, ev.description)); }
      body.appendChild(el('h3', null, 'Participants'));
      var pl = el('ul');
      ev.participants.forEach(function (p) {
        var li = el('li');
        if (nodeById[p.id]) { li.appendChild(nodeButton(p.id, p.label)); } else { li.appendChild(el('span', null, p.label)); }
        li.appendChild(document.createTextNode(' (' + p.role + ')'));
        pl.appendChild(li);
      });
      body.appendChild(pl);
      body.appendChild(el('h3', null, plural(ev.citations.length, 'citation')));
      body.appendChild(citationList(ev.citations));
      showPanel(n.name, body, options, network.getPosition(id));
      return;
    }
    body.appendChild(el('p', 'tg-meta', 'Type: ' + n.kindLabel + ' · ' + plural(n.events.length, 'event') +
      ' · ' + plural(links[id].length, 'link')));
    if (n.aliases && n.aliases.length) { body.appendChild(el('p', null, 'Also known as: ' + n.aliases.join('; '))); }
    if (n.description) { body.appendChild(el('p', null, n.description)); }
    if (n.wikidata && /^Q[1-9][0-9]*$/.test(n.wikidata)) {
      var wp = el('p', null, 'Wikidata: ');
      wp.appendChild(externalLink('https://www.wikidata.org/wiki/' + n.wikidata, n.wikidata));
      body.appendChild(wp);
    }
    if (links[id].length) {
      body.appendChild(el('h3', null, 'Links'));
      var ul = el('ul');
      links[id].slice(0, MAX_LIST).forEach(function (link) {
        var li = el('li');
        li.appendChild(nodeButton(link.other));
        li.appendChild(document.createTextNode(': ' + link.edge.relation + ' '));
        var more = el('button', 'tg-linkbutton', link.edge.events.length ? 'sources' : 'details');
        more.type = 'button';
        more.setAttribute('aria-label', (link.edge.events.length ? 'Sources for ' : 'Details of ') + n.name +
          ' and ' + nameOf(link.other));
        more.addEventListener('click', function () { openEdge(link.edge.id, { focusPanel: true }); });
        li.appendChild(el('span', null, '('));
        li.lastChild.appendChild(more);
        li.lastChild.appendChild(document.createTextNode(')'));
        ul.appendChild(li);
      });
      if (links[id].length > MAX_LIST) { ul.appendChild(el('li', 'tg-meta', '… and ' + (links[id].length - MAX_LIST) + ' more')); }
      body.appendChild(ul);
    }
    if (n.events.length) {
      body.appendChild(el('h3', null, 'Events'));
      var evs = el('ul');
      n.events.slice(0, MAX_LIST).forEach(function (eventId) {
        var ev = data.events[eventId];
        if (!ev) { return; }
        var li = el('li');
        var details = el('details');
        var roles = ev.participants.filter(function (p) { return p.id === id; }).map(function (p) { return p.role; });
        details.appendChild(el('summary', null, ev.date + ': ' + ev.label + (roles.length ? ' (' + roles.join(', ') + ')' : '')));
        details.appendChild(eventBlock(eventId, 'h4'));
        li.appendChild(details);
        evs.appendChild(li);
      });
      if (n.events.length > MAX_LIST) { evs.appendChild(el('li', 'tg-meta', '… and ' + (n.events.length - MAX_LIST) + ' more')); }
      body.appendChild(evs);
    }
    showPanel(n.name, body, options, network.getPosition(id));
  }

  function openEdge(id, options) {
    var e = edgeById[id];
    if (!e) { return; }
    panelFor = { type: 'edge', id: id };
    network.selectEdges([id]);
    refreshEdgeLabels();
    var body = document.createDocumentFragment();
    var ends = el('p', 'tg-meta');
    ends.appendChild(nodeButton(e.from, nameOf(e.from)));
    ends.appendChild(document.createTextNode(' and '));
    ends.appendChild(nodeButton(e.to, nameOf(e.to)));
    ends.appendChild(document.createTextNode(' · ' + (e.events.length ? plural(e.events.length, 'event') : e.relation)));
    body.appendChild(ends);
    e.relations.forEach(function (r) {
      if (!r.event) {
        var box = el('div', 'tg-event');
        box.appendChild(el('h3', null, 'Member of'));
        box.appendChild(el('p', null, nameOf(r.from) + ' is a member of ' + nameOf(r.to) + ' (curated record).'));
        body.appendChild(box);
        return;
      }
      var line = e.kind === 'role'
        ? nameOf(r.from) + ' took part as ' + r.fromRole + '.'
        : nameOf(r.from) + ' (' + r.fromRole + ') → ' + nameOf(r.to) + ' (' + r.toRole + ')';
      body.appendChild(eventBlock(r.event, 'h3', line));
    });
    var a = network.getPosition(e.from);
    var b = network.getPosition(e.to);
    showPanel(nameOf(e.from) + ' — ' + nameOf(e.to), body, options, { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
  }

  function closePanel(refocus) {
    var hadFocus = panel.contains(document.activeElement);
    panel.hidden = true;
    panelFor = null;
    if (refocus || hadFocus) { frame.focus(); }
  }

  panelClose.addEventListener('click', function () { closePanel(true); });
  panel.addEventListener('keydown', function (event) {
    if (event.key === 'Escape') {
      event.preventDefault();
      event.stopPropagation();
      closePanel(true);
    }
  });

  // ------------------------------------------------------------------ search (ARIA combobox)
  var options = [];
  var active = -1;

  function fold(text) {
    return String(text).normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  }

  var searchIndex = data.nodes.map(function (n) {
    return { id: n.id, name: fold(n.name), aliases: (n.aliases || []).map(function (a) { return [a, fold(a)]; }) };
  });

  function findMatches(query) {
    var q = fold(query.trim());
    if (!q) { return []; }
    var found = [];
    searchIndex.forEach(function (entry) {
      var score = -1;
      var alias = null;
      if (entry.name === q) { score = 0; } else if (entry.name.indexOf(q) === 0) { score = 1; } else if (entry.name.indexOf(' ' + q) >= 0) { score = 3; }
      entry.aliases.forEach(function (pair) {
        var s = pair[1] === q ? 0 : (pair[1].indexOf(q) === 0 ? 2 : (pair[1].indexOf(' ' + q) >= 0 ? 4 : (pair[1].indexOf(q) >= 0 ? 6 : -1)));
        if (s >= 0 && (score < 0 || s < score)) { score = s; alias = pair[0]; }
      });
      if (score < 0 && entry.name.indexOf(q) >= 0) { score = 5; }
      if (score >= 0) { found.push({ id: entry.id, score: score, alias: alias }); }
    });
    found.sort(function (a, b) {
      return a.score - b.score || compareNames(nodeById[a.id].name, nodeById[b.id].name);
    });
    return found.slice(0, 12);
  }

  function setActive(index) {
    active = index;
    Array.prototype.forEach.call(list.children, function (li, i) {
      li.setAttribute('aria-selected', i === index ? 'true' : 'false');
    });
    if (index >= 0 && list.children[index] && list.children[index].id) {
      search.setAttribute('aria-activedescendant', list.children[index].id);
      list.children[index].scrollIntoView({ block: 'nearest' });
    } else {
      search.removeAttribute('aria-activedescendant');
    }
  }

  function closeList() {
    list.hidden = true;
    search.setAttribute('aria-expanded', 'false');
    search.removeAttribute('aria-activedescendant');
    options = [];
    active = -1;
  }

  function renderList() {
    options = findMatches(search.value);
    while (list.firstChild) { list.removeChild(list.firstChild); }
    if (!search.value.trim()) { closeList(); return; }
    if (!options.length) {
      var none = el('li', 'tg-empty', 'No entity matches');
      none.setAttribute('role', 'option');
      none.setAttribute('aria-disabled', 'true');
      list.appendChild(none);
    }
    options.forEach(function (match, i) {
      var n = nodeById[match.id];
      var li = el('li');
      li.id = 'tg-option-' + i;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.appendChild(el('span', null, n.name));
      li.appendChild(el('span', 'tg-option-kind', ' · ' + n.kindLabel));
      if (match.alias) { li.appendChild(el('span', 'tg-option-alias', ' · also “' + match.alias + '”')); }
      li.addEventListener('mousedown', function (event) { event.preventDefault(); pick(i); });
      list.appendChild(li);
    });
    list.hidden = false;
    search.setAttribute('aria-expanded', 'true');
    setActive(options.length ? 0 : -1);
  }

  function pick(index) {
    var match = options[index];
    if (!match) { return; }
    search.value = nodeById[match.id].name;
    closeList();
    focusNode(match.id, { open: true });
  }

  search.addEventListener('input', renderList);
  search.addEventListener('keydown', function (event) {
    var key = event.key;
    if (key === 'ArrowDown') {
      if (list.hidden) { renderList(); } else if (options.length) { setActive((active + 1) % options.length); }
      event.preventDefault();
    } else if (key === 'ArrowUp') {
      if (options.length) { setActive((active - 1 + options.length) % options.length); }
      event.preventDefault();
    } else if (key === 'Enter') {
      if (!list.hidden && options.length) { pick(active >= 0 ? active : 0); event.preventDefault(); }
    } else if (key === 'Escape') {
      if (!list.hidden) { closeList(); } else { search.value = ''; }
      event.preventDefault();
      event.stopPropagation();
    }
  });
  search.addEventListener('blur', closeList);

  // ------------------------------------------------------------------ deep links (#entity-id)
  function fromHash() {
    var raw = (window.location.hash || '').slice(1);
    if (!raw) { return null; }
    try { raw = decodeURIComponent(raw); } catch (e) { return null; }
    return nodeById[raw] ? raw : (nodeById['event:' + raw] ? 'event:' + raw : null);
  }

  window.addEventListener('hashchange', function () {
    var id = fromHash();
    if (id) { focusNode(id, { open: true }); }
  });
  document.getElementById('tg-twin').addEventListener('click', function (event) {
    var a = event.target.closest ? event.target.closest('a[href^="#"]') : null;
    if (!a) { return; }
    var id = decodeURIComponent(a.getAttribute('href').slice(1));
    if (nodeById[id]) {
      event.preventDefault();
      focusNode(id, { open: true });
      container.scrollIntoView({ block: 'nearest' });
      frame.focus({ preventScroll: true });
    }
  });

  // ------------------------------------------------------------------ embedding: report the height
  if (window.parent && window.parent !== window && window.ResizeObserver) {
    var page = document.querySelector('.tg-page') || document.body;
    var lastHeight = 0;
    var report = function () {
      var height = Math.ceil(page.getBoundingClientRect().height);
      if (height !== lastHeight && height > 0) {
        lastHeight = height;
        window.parent.postMessage({ type: config.heightMessage, height: height }, '*');
      }
    };
    new ResizeObserver(report).observe(page);
    report();
  }

  // ------------------------------------------------------------------ start
  [search, document.getElementById('tg-zoom-in'), document.getElementById('tg-zoom-out'),
    document.getElementById('tg-fit')].forEach(function (control) { control.disabled = false; });
  network.fit({ animation: false });
  var initial = fromHash();
  if (initial) {
    focusNode(initial, { open: true });
  } else if (data.focus && nodeById[data.focus]) {
    current = data.focus;  // drawn larger and bold already; arrow keys start from it
  }

  window.timelineGraph = network;
  window.timelineGraphPage = {
    network: network,
    data: data,
    focusNode: focusNode,
    openNode: openNode,
    openEdge: openEdge,
    closePanel: closePanel,
    current: function () { return current; },
    reducedMotion: reducedMotion
  };
  document.documentElement.setAttribute('data-graph-ready', 'true');
}());
