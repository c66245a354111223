/* The map of the field (/map/): draws the points the page carries as JSON into an SVG.
   Progressive enhancement: without JavaScript the page is the list of links below the map.
   The SVG is one focusable listbox (a month is thousands of points: one tab stop, not thousands);
   arrow keys move to the nearest point that way, Enter opens it, hovering shows the title. */
(function () {
  "use strict";
  var NS = "http://www.w3.org/2000/svg";
  var W = 1000, H = 640, PAD = 16;

  function el(name, attrs) {
    var node = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    return node;
  }

  /* The nearest point in the arrow's direction: ahead along the axis, penalised for sideways drift. */
  function nearest(points, from, dx, dy) {
    var best = -1, bestScore = Infinity;
    points.forEach(function (p, i) {
      var ax = p.sx - from.sx, ay = p.sy - from.sy;
      var ahead = ax * dx + ay * dy, aside = Math.abs(ax * dy - ay * dx);
      if (i === from.index || ahead <= 0) return;
      var score = ahead + 2 * aside;
      if (score < bestScore) { bestScore = score; best = i; }
    });
    return best;
  }

  function draw(box, points) {
    var svg = el("svg", {viewBox: "0 0 " + W + " " + H, role: "listbox", tabindex: "0", "class": "map-svg",
                         "aria-label": box.dataset.label + ". Arrow keys move between papers, Enter opens one."});
    var tip = document.createElement("div");
    tip.className = "map-tip";
    tip.hidden = true;
    var active = -1;
    var order = points.map(function (p, i) { return i; });
    order.sort(function (a, b) { return points[a].mine - points[b].mine; });  // yours on top
    order.forEach(function (i) {
      var p = points[i];
      p.index = i;
      p.sx = PAD + p.x * (W - 2 * PAD);
      p.sy = PAD + p.y * (H - 2 * PAD);
      p.node = el("circle", {cx: p.sx.toFixed(1), cy: p.sy.toFixed(1), r: p.mine ? 7 : 5, id: "map-point-" + i,
                             role: "option", "aria-selected": "false", "aria-label": p.title,
                             "class": "pt g" + p.group + (p.mine ? " mine" : ""), "data-id": p.id});
      svg.appendChild(p.node);
    });

    function show(i) {
      if (active >= 0) { points[active].node.classList.remove("active"); points[active].node.setAttribute("aria-selected", "false"); }
      active = i;
      var p = points[i];
      p.node.classList.add("active");
      p.node.setAttribute("aria-selected", "true");
      svg.setAttribute("aria-activedescendant", p.node.id);
      tip.textContent = p.title + (p.mine ? " (yours)" : "");
      tip.hidden = false;
      tip.style.left = (100 * p.sx / W) + "%";
      tip.style.top = (100 * p.sy / H) + "%";
    }

    svg.addEventListener("mouseover", function (event) {
      var id = event.target.id || "";
      if (id.indexOf("map-point-") === 0) show(Number(id.slice(10)));
    });
    svg.addEventListener("click", function (event) {
      var id = event.target.id || "";
      if (id.indexOf("map-point-") === 0) window.location.href = points[Number(id.slice(10))].url;
    });
    svg.addEventListener("focus", function () {
      if (active < 0) {
        var first = points.findIndex(function (p) { return p.mine; });
        show(first >= 0 ? first : order[0]);
      }
    });
    svg.addEventListener("keydown", function (event) {
      var moves = {ArrowRight: [1, 0], ArrowLeft: [-1, 0], ArrowDown: [0, 1], ArrowUp: [0, -1]};
      if (moves[event.key] && active >= 0) {
        var next = nearest(points, points[active], moves[event.key][0], moves[event.key][1]);
        if (next >= 0) show(next);
        event.preventDefault();
      } else if (event.key === "Enter" && active >= 0) {
        window.location.href = points[active].url;
      } else if (event.key === "Escape") {
        tip.hidden = true;
      }
    });
    box.appendChild(svg);
    box.appendChild(tip);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var box = document.getElementById("field-map");
    var data = document.getElementById("map-points");
    if (!box || !data) return;
    draw(box, JSON.parse(data.textContent));
    var list = document.querySelector(".map-list");
    if (list) list.open = false;  // the map is drawn: the list stays one click away
  });
})();
