"""Screenshot of the seed graph's page for the README (docs/img/seed-graph.png).

Opens visualizations/seed-graph.html in headless Chromium, keeps the relations *motivates* and
*increases* with the page's own filter, zooms on the chain
U.S. tariffs -motivates-> Japan's sale of U.S. Treasuries -increases-> U.S. Treasury yields
clicks its second arrow, then opens both arrows so the panel shows the quotes of the whole chain.
Run: `make screenshot`.
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

from kg.viz_page import CHROMIUM, CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "visualizations" / "seed-graph.html"
OUT = ROOT / "docs" / "img" / "seed-graph.png"
ARGS = list(CHROMIUM_ARGS)
CHAIN = ("us-tariffs", "japan-treasury-selloff", "us-treasury-yields")


def main(out: Path = OUT) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1600, "height": 1000})
        page.route(
            "**/*", lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort()
        )
        page.goto(PAGE.as_uri())
        page.wait_for_function("document.body.dataset.ready === 'true'")
        for box in page.locator("#kg-filter-relation input").all():
            if box.get_attribute("value") not in ("motivates", "increases"):
                box.uncheck()
        # Centre the chain, then click its second edge on the canvas as a user would.
        point = page.evaluate(
            """(chain) => {
              const pos = chain.map((id) => kg.network.getPosition(id));
              const x = pos.map((p) => p.x), y = pos.map((p) => p.y);
              const centre = {x: (Math.min(...x) + Math.max(...x)) / 2,
                              y: (Math.min(...y) + Math.max(...y)) / 2};
              kg.network.moveTo({position: centre, scale: 1.15, animation: false});
              const edge = kg.data.edges.find((e) => e.from === chain[1] && e.to === chain[2]
                                   && e.relation === 'increases' && e.style === 'affirmed');
              return kg.network.canvasToDOM(kg.network.body.edges[edge.id].edgeType.getPoint(0.5));
            }""",
            list(CHAIN),
        )
        box = page.locator("#kg-graph canvas").bounding_box()
        page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])
        # Open both steps of the chain: their arrows stand out, their quotes fill the panel.
        page.evaluate(
            """(chain) => kg.openEdges([
                 kg.data.edges.find((e) => e.from === chain[0] && e.to === chain[1]
                                           && e.relation === 'motivates'),
                 kg.data.edges.find((e) => e.from === chain[1] && e.to === chain[2]
                                           && e.relation === 'increases' && e.style === 'affirmed'),
               ])""",
            list(CHAIN),
        )
        page.wait_for_timeout(300)
        page.evaluate("document.querySelector('.vis-tooltip').style.visibility = 'hidden'")
        out.parent.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(out))
        browser.close()
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
