from contextlib import contextmanager

from tqdm import tqdm


@contextmanager
def progress_bar(enabled: bool, description: str):
    """A callback `progress(percent)` drawing a terminal bar when enabled."""
    if not enabled:
        yield lambda percent: None
        return
    with tqdm(total=100, desc=description, unit="%", bar_format="{l_bar}{bar}| {n:.0f}%") as bar:

        def progress(percent: float) -> None:
            bar.update(max(0, percent - bar.n))

        yield progress
        bar.update(100 - bar.n)
