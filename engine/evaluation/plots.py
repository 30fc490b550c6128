"""PNG charts of a report (matplotlib, drawn off-screen)."""

from pathlib import Path


def _pyplot():
    # Imported here: matplotlib takes a second to import and only --plots needs it.
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def write_plots(report: dict, prefix: Path, title: str) -> list[Path]:
    """Charts for the protocols in ``report``; files are ``<prefix>-<chart>.png``."""
    plt = _pyplot()
    prefix = Path(prefix)
    prefix.parent.mkdir(parents=True, exist_ok=True)
    protocols = report["protocols"]
    charts = (
        ("warm", protocols.get("warm"), _warm),
        ("cold-users", protocols.get("cold_user", {}).get("curve"), _cold_users),
        ("steering", protocols.get("steering"), _steering),
    )
    written = []
    for name, data, draw in charts:
        if data:
            figure, axes = plt.subplots(figsize=(6.4, 3.6))
            draw(axes, data, title)
            figure.tight_layout()
            written.append(_save(figure, prefix, name, plt))
    return written


def _warm(axes, warm: dict, title: str) -> None:
    names = list(warm["methods"])
    values = [warm["methods"][name]["ndcg@10"] for name in names]
    colours = {"hybrid": "#c0392b", "hybrid_serving": "#e67e22"}
    bars = axes.bar(names, values, color=[colours.get(n, "#7f8c8d") for n in names])
    axes.bar_label(bars, fmt="%.3f", fontsize=8)
    # Seven method names do not fit side by side at this width.
    axes.tick_params(axis="x", labelrotation=20, labelsize=8)
    axes.set_ylabel("NDCG@10")
    axes.set_title(f"{title}: warm users, full ranking")


def _cold_users(axes, curve: dict, title: str) -> None:
    sizes = [int(size) for size in curve]
    for method in next(iter(curve.values())):
        axes.plot(
            sizes,
            [curve[str(size)][method]["ndcg@10"] for size in sizes],
            marker="o",
            label=method,
        )
    axes.set_xticks(sizes)
    axes.set_xlabel("interactions the person arrives with")
    axes.set_ylabel("NDCG@10")
    axes.set_title(f"{title}: cold users")
    axes.legend(fontsize=8)


def _steering(axes, steering: dict, title: str) -> None:
    labels = [
        '"Likes: <category>"\nshare in category',
        '"Avoids: <category>"\nshare left in category',
    ]
    before = [steering["like_share_before"], steering["avoid_remaining_before"]]
    after = [steering["like_share_after"], steering["avoid_remaining_after"]]
    positions = range(len(labels))
    axes.bar([p - 0.2 for p in positions], before, width=0.4, label="before", color="#7f8c8d")
    axes.bar([p + 0.2 for p in positions], after, width=0.4, label="after", color="#c0392b")
    axes.set_xticks(list(positions), labels)
    axes.set_ylim(0, 1)
    axes.set_ylabel("share of the top 10")
    axes.set_title(f"{title}: steering ({steering['cases']} cases)")
    axes.legend(fontsize=8)


def _save(figure, prefix: Path, name: str, plt) -> Path:
    path = prefix.with_name(f"{prefix.name}-{name}.png")
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
