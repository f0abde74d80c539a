// Marks every table and listing wider than its box, and puts a cue above it
// that says it scrolls sideways: on a phone a wide table otherwise shows a
// column and a half and nothing to say there is more. Runs on load and on
// every resize; a box that fits again loses its cue. Styled in css/book.css;
// book/js/browser-check.mjs fails on a box that overflows without its cue.
(function () {
    "use strict";

    // The element that scrolls: mdBook's wrapper of a table, or the <code>
    // inside a listing's <pre>.
    function scroller(box) {
        return box.matches("pre") ? box.querySelector(":scope > code") || box : box;
    }

    function mark() {
        document.querySelectorAll("main .table-wrapper, main pre").forEach(function (box) {
            var inner = scroller(box);
            var overflows = inner.scrollWidth - inner.clientWidth > 1;
            var cue = box.previousElementSibling;
            var hasCue = cue !== null && cue.classList.contains("scroll-cue");
            box.classList.toggle("scrolls", overflows);
            if (overflows && !hasCue) {
                cue = document.createElement("div");
                cue.className = "scroll-cue";
                cue.setAttribute("aria-hidden", "true");
                cue.textContent = (box.matches("pre") ? "listing" : "table") + " scrolls sideways \u2192";
                box.parentNode.insertBefore(cue, box);
            } else if (!overflows && hasCue) {
                cue.remove();
            }
        });
    }

    if (document.readyState === "complete") {
        mark();
    } else {
        window.addEventListener("load", mark);
    }
    window.addEventListener("resize", mark);
})();
