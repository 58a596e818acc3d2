/*
 * The story page's script (timeline/render/story.py inlines this). The slides are in the HTML; this shows one at
 * a time and moves between them: Previous/Next, the arrow keys, Home/End, a sideways swipe, the navigator's
 * ticks, and the address's #EVENT-ID (each move is a history entry, so the browser's Back goes back a slide).
 *
 * It builds no markup from case text (it only moves classes and attributes), fetches nothing, and never takes
 * the focus or scrolls the host page when the story is embedded and opened.
 */
(function () {
  'use strict';

  var doc = document;
  var root = doc.documentElement;
  root.classList.remove('st-no-js');
  root.classList.add('st-js');

  var slides = Array.prototype.slice.call(doc.querySelectorAll('.st-slide'));
  var ticks = Array.prototype.slice.call(doc.querySelectorAll('.st-tick'));
  var items = ticks.map(function (tick) { return tick.parentNode; });
  var viewport = doc.getElementById('st-viewport');
  var track = doc.getElementById('st-track');
  var list = doc.getElementById('st-ticks');
  var counter = doc.getElementById('st-counter');
  var live = doc.getElementById('st-live');
  var prev = doc.getElementById('st-prev');
  var next = doc.getElementById('st-next');
  var start = doc.getElementById('st-start');
  var last = slides.length - 1;
  var embedded = window.parent !== window;

  var indexById = new Map();
  slides.forEach(function (slide, i) {
    var id = slide.getAttribute('data-event');
    if (id && !indexById.has(id)) indexById.set(id, i);
  });

  var motionQuery = window.matchMedia ? window.matchMedia('(prefers-reduced-motion: reduce)') : null;
  function reducedMotion() {
    return !!(motionQuery && motionQuery.matches);
  }

  // ---------------------------------------------------------------- showing a slide

  var current = 0;

  function headline(i) {
    var h = slides[i].querySelector('h2');
    return h ? h.textContent.trim() : '';
  }

  function describe(i) {
    if (i === 0) return 'Title slide, ' + last + (last === 1 ? ' event' : ' events') + ' follow';
    var time = slides[i].querySelector('.st-date');
    return 'Event ' + i + ' of ' + last + ': ' + (time ? time.textContent.trim() + ', ' : '') + headline(i);
  }

  function show(i, how) {
    how = how || {};
    i = Math.max(0, Math.min(last, i));
    var before = current;
    var focusWasInside = slides[before].contains(doc.activeElement);
    if (i !== before) {
      slides[before].classList.remove('st-current');
      slides[i].classList.toggle('st-from-left', i < before);
      slides[i].classList.add('st-current');
      viewport.scrollTop = 0;
      current = i;
    }
    ticks.forEach(function (tick, k) {
      if (k === i) tick.setAttribute('aria-current', 'step');
      else tick.removeAttribute('aria-current');
      tick.tabIndex = k === i ? 0 : -1;  // one tab stop for the navigator: the current tick
    });
    setDisabled(prev, i === 0);
    setDisabled(next, i === last);
    counter.textContent = i === 0 ? 'Title slide' : 'Event ' + i + ' of ' + last;
    if (how.announce !== false) live.textContent = describe(i);
    if (how.history) record(i, how.history);
    reveal(i);
    markMore();
    if (how.focusTick) ticks[i].focus({ preventScroll: true });
    else if (focusWasInside && i !== before) viewport.focus({ preventScroll: true });
  }

  /* Disabled by aria-disabled, not the disabled attribute: a focused button that became disabled would drop the
     focus to the page's start. */
  function setDisabled(button, off) {
    if (off) button.setAttribute('aria-disabled', 'true');
    else button.removeAttribute('aria-disabled');
  }

  function go(i, how) {
    how = how || {};
    if (how.history === undefined) how.history = 'push';
    i = Math.max(0, Math.min(last, i));
    if (i === current) return;
    show(i, how);
  }

  /* Mark the frame while the slide goes on below the fold (the CSS fades it and says "More below"). */
  var main = viewport.parentNode;
  function markMore() {
    main.classList.toggle('st-more', viewport.scrollHeight - viewport.scrollTop - viewport.clientHeight > 8);
  }
  viewport.addEventListener('scroll', markMore, { passive: true });

  // ---------------------------------------------------------------- the address

  function hashId() {
    var raw = location.hash ? location.hash.slice(1) : '';
    if (!raw) return '';
    try {
      return decodeURIComponent(raw);
    } catch (e) {
      return raw;
    }
  }

  function fromHash() {
    var id = hashId();
    return id && indexById.has(id) ? indexById.get(id) : 0;
  }

  function record(i, mode) {
    var base = location.href.split('#')[0];
    var url = i === 0 ? base : base + '#' + encodeURIComponent(slides[i].getAttribute('data-event'));
    if (url === location.href) return;
    try {
      if (mode === 'replace') history.replaceState(null, '', url);
      else history.pushState(null, '', url);
    } catch (e) {
      // a sandboxed frame without history: the slide still changes
    }
  }

  function followAddress() {
    show(fromHash(), {});
  }

  window.addEventListener('popstate', followAddress);
  window.addEventListener('hashchange', followAddress);

  // ---------------------------------------------------------------- buttons, keys, ticks, swipes

  prev.addEventListener('click', function () { go(current - 1); });
  next.addEventListener('click', function () { go(current + 1); });
  if (start) start.addEventListener('click', function () { go(1, { focusTick: false }); next.focus(); });

  list.addEventListener('click', function (event) {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    var tick = event.target.closest ? event.target.closest('.st-tick') : null;
    if (!tick) return;
    event.preventDefault();
    go(Number(tick.getAttribute('data-index')), { focusTick: true });
  });

  // Links to another slide (in a claim's "contradicted by"): move there instead of jumping to an anchor.
  viewport.addEventListener('click', function (event) {
    if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
    var link = event.target.closest ? event.target.closest('a.st-slide-link') : null;
    if (!link) return;
    var id = decodeURIComponent(link.getAttribute('href').slice(1));
    if (!indexById.has(id)) return;
    event.preventDefault();
    go(indexById.get(id));
    viewport.focus({ preventScroll: true });
  });

  // On the document: in an iframe, keys reach it only while the story has the focus, so a host page's keys
  // are never taken. Keys typed into a field, or with a modifier, are left alone.
  doc.addEventListener('keydown', function (event) {
    if (event.defaultPrevented || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var target = event.target;
    if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
    var onTick = !!(target && target.classList && target.classList.contains('st-tick'));
    var how = { focusTick: onTick };
    switch (event.key) {
      case 'ArrowRight':
        go(current + 1, how);
        break;
      case 'ArrowLeft':
        go(current - 1, how);
        break;
      case 'Home':
        go(0, how);
        break;
      case 'End':
        go(last, how);
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  /* A sideways swipe over the slide: mostly horizontal, long enough, quick enough. Up-down is the slide's own
     scrolling (touch-action: pan-y). */
  var touch = null;
  viewport.addEventListener('touchstart', function (event) {
    if (event.touches.length !== 1) {
      touch = null;
      return;
    }
    touch = { x: event.touches[0].clientX, y: event.touches[0].clientY, t: Date.now() };
  }, { passive: true });
  viewport.addEventListener('touchcancel', function () { touch = null; }, { passive: true });
  viewport.addEventListener('touchend', function (event) {
    if (!touch || event.changedTouches.length !== 1) return;
    var dx = event.changedTouches[0].clientX - touch.x;
    var dy = event.changedTouches[0].clientY - touch.y;
    var quick = Date.now() - touch.t < 1000;
    touch = null;
    if (quick && Math.abs(dx) >= 40 && Math.abs(dx) > 1.5 * Math.abs(dy)) go(current + (dx < 0 ? 1 : -1));
  }, { passive: true });

  // ---------------------------------------------------------------- the navigator

  var GAP = 26;        // px between tick centres at least: each tick is a 24 px target
  var YEAR_GAP = 40;   // px between year labels at least

  /* Ticks at their dates, as far as the width allows; at least GAP apart. When they need more room than the
     frame has, the strip scrolls inside itself (never the page) and follows the current tick. */
  function layout() {
    var width = track.clientWidth;
    var pad = 14;
    var n = items.length;
    if (!n || !width) return;
    var right = Math.max(width - pad, pad + GAP * (n - 1));
    var xs = items.map(function (item, k) {
      if (k === 0) return pad;
      var pos = Number(item.getAttribute('data-pos')) || 0;
      return pad + GAP + pos * (right - pad - GAP);
    });
    for (var k = 1; k < n; k++) xs[k] = Math.max(xs[k], xs[k - 1] + GAP);
    if (xs[n - 1] > right) {
      xs[n - 1] = right;
      for (k = n - 2; k > 0; k--) xs[k] = Math.min(xs[k], xs[k + 1] - GAP);
      for (k = 1; k < n; k++) xs[k] = Math.max(xs[k], xs[k - 1] + GAP);
    }
    list.style.width = Math.ceil(Math.max(width, xs[n - 1] + pad)) + 'px';
    // Year labels from the last one back, so the latest year is always named; a label too close to the one
    // after it is left out.
    var nextYear = Infinity;
    for (k = n - 1; k >= 0; k--) {
      items[k].style.left = xs[k] + 'px';
      var year = items[k].querySelector('.st-year');
      if (year) {
        year.hidden = nextYear - xs[k] < YEAR_GAP;
        if (!year.hidden) nextYear = xs[k];
      }
    }
    reveal(current, true);
  }

  /* Scroll the strip so the current tick is in its middle (clamped at both ends). */
  function reveal(i, instant) {
    if (!items[i]) return;
    var x = parseFloat(items[i].style.left) || 0;
    var target = Math.max(0, Math.min(track.scrollWidth - track.clientWidth, x - track.clientWidth / 2));
    if (Math.abs(track.scrollLeft - target) < 1) return;
    if (instant || reducedMotion() || !track.scrollTo) track.scrollLeft = target;
    else track.scrollTo({ left: target, behavior: 'smooth' });
  }

  var resizeTimer = null;
  window.addEventListener('resize', function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(function () { layout(); markMore(); }, 60);
  });

  // ---------------------------------------------------------------- start

  layout();
  // The address decides the first slide; on the title slide nothing is announced. Opening never moves the
  // focus: an embedded story must not take it from its host page.
  var first = fromHash();
  show(first, { announce: first !== 0, history: first === 0 && location.hash ? 'replace' : undefined });
  root.classList.add('st-ready');

  // A small, read-only handle for tests and for people poking at the page from the console.
  window.storyPage = {
    slides: slides.length,
    current: function () { return current; },
    currentId: function () { return slides[current].getAttribute('data-event') || ''; },
    reducedMotion: reducedMotion,
    embedded: embedded,
    readyAt: window.performance ? window.performance.now() : 0
  };
})();
