"""Where each SDK, framework and protocol in sdks.yml sits in the application stack."""

from sosai.features.charts import PALETTE, new_figure

DATA = ["sdks"]
# Layers from the top of the stack (closest to the application) to the bottom.
LAYERS = [
    ("protocol", "Protocols", "tools, agents, editors, UIs"),
    ("agents", "Agent frameworks", "loops, tools, handoffs, memory"),
    ("orchestration", "Orchestration", "retrieval, chains, graphs"),
    ("programming", "LM programming", "declare, then optimise"),
    ("structured output", "Structured output", "schemas and grammars"),
    ("model access", "Model access", "clients and gateways"),
    ("observability", "Observability", "traces and evaluations"),
]
SHORT = {
    "OpenAI client (openai-python)": "OpenAI client",
    "Google Agent Development Kit (ADK)": "Google ADK",
    "Model Context Protocol (MCP)": "MCP",
    "Agent2Agent (A2A)": "A2A",
    "Agent Client Protocol (ACP)": "ACP",
    "AG-UI (Agent-User Interaction Protocol)": "AG-UI",
    "OpenTelemetry GenAI semantic conventions": "OpenTelemetry GenAI conventions",
}
# One colour per layer: the book's palette without black, plus a purple for the seventh.
COLOURS = [*PALETTE[:6], "#6A51A3"]
LEFT, RIGHT = 0.205, 0.995  # where boxes may go, in axes fractions
CHAR_W, PAD, GAP = 0.0074, 0.022, 0.012  # widths in axes fractions per character, padding, gap
LINE_H = 0.42  # inches per line of boxes
FIG_W = 10.0


def tint(colour, amount=0.72):
    """The colour mixed with white, light enough for dark text on top."""
    from matplotlib.colors import to_rgb

    return tuple(c + (1 - c) * amount for c in to_rgb(colour))


def lay_out(names):
    """Split names into lines of boxes between LEFT and RIGHT; return (name, x, w, line)."""
    placed, x, line = [], LEFT, 0
    for name in names:
        w = len(name) * CHAR_W + PAD
        if x + w > RIGHT and x > LEFT:
            x, line = LEFT, line + 1
        placed.append((name, x, w, line))
        x += w + GAP
    return placed


def draw(data):
    from matplotlib.patches import FancyBboxPatch

    rows = data["sdks"].rows
    bands = []
    for key, title, note in LAYERS:
        members = [r for r in rows if r["layer"] == key]
        placed = lay_out([SHORT.get(r["name"], r["name"]) for r in members])
        lines = 1 + max((p[3] for p in placed), default=0)
        bands.append((title, note, members, placed, lines))
    total_lines = sum(b[4] for b in bands) + 0.6 * len(bands)
    height_in = total_lines * LINE_H + 0.5
    fig, ax = new_figure(FIG_W, height_in)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, total_lines)
    ax.axis("off")
    y_top = total_lines
    for i, (title, note, members, placed, lines) in enumerate(bands):
        band_h = lines + 0.6
        y0 = y_top - band_h
        colour = COLOURS[i]
        ax.add_patch(
            FancyBboxPatch(
                (0.003, y0 + 0.06),
                0.994,
                band_h - 0.12,
                boxstyle="round,pad=0,rounding_size=0.012",
                facecolor="#f4f4f4",
                edgecolor="#d0d0d0",
                linewidth=0.8,
            )
        )
        ax.text(0.012, y_top - 0.42, title, fontsize=10, fontweight="bold", va="center")
        ax.text(0.012, y_top - 0.85, note, fontsize=8, color="#555555", va="center")
        for row, (name, x, w, line) in zip(members, placed, strict=True):
            yc = y_top - 0.55 - line
            faded = row["status"] != "active"
            ax.add_patch(
                FancyBboxPatch(
                    (x, yc - 0.32),
                    w,
                    0.64,
                    boxstyle="round,pad=0,rounding_size=0.008",
                    facecolor="#e6e6e6" if faded else tint(colour),
                    edgecolor="#777777" if faded else colour,
                    linewidth=1.4,
                    linestyle="--" if not row["open_source"] else "-",
                    alpha=0.95,
                )
            )
            ax.text(
                x + w / 2,
                yc,
                name,
                fontsize=8.5,
                ha="center",
                va="center",
                color="#444444" if faded else "#111111",
                fontstyle="italic" if faded else "normal",
            )
        y_top = y0
    ax.set_title(
        "Layers of the application stack and the projects in sdks.yml "
        "(grey italic: maintenance or superseded; dashed: not OSI open source)",
        fontsize=9.5,
    )
    return fig
