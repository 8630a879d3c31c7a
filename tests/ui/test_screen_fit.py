"""ui.scale: the layout fitted to screens smaller than it is drawn for (1080×1920 / 1920×1080).

Found by running the packaged kiosk under cage on wlroots' default 1280×720 output: the
window needed more than the screen, the home tiles were cut off at the bottom. The
package check now draws it there with ui.scale = 0.66 and looks at the screenshot.
"""

from __future__ import annotations

from kiosk.config.loader import defaults
from ui.screen_fit import SCALE_VARIABLE, apply_scale, fitting_scale


def test_the_setting_becomes_qts_scale_factor_unless_one_is_set() -> None:
    environ: dict[str, str] = {}
    apply_scale(defaults()["ui.scale"], environ)
    assert environ == {}  # 1.0: Qt's own default, nothing set
    apply_scale(0.66, environ)
    assert environ == {SCALE_VARIABLE: "0.66"}
    apply_scale(0.8, environ)
    assert environ == {SCALE_VARIABLE: "0.66"}  # a factor set by hand wins


def test_the_value_that_fits_is_rounded_down_and_none_when_it_fits() -> None:
    assert fitting_scale((1920, 1080), (1920, 1080)) is None
    assert fitting_scale((1920, 1080), (1280, 720)) == 0.66
    assert fitting_scale((1920, 1080), (1366, 768)) == 0.71
    assert fitting_scale((1080, 1920), (1080, 1800)) == 0.93
    # measured at a scale already set: the answer is the new setting, not a factor of it
    assert fitting_scale((1000, 1000), (900, 900), current=0.8) == 0.72


def test_the_window_at_the_fitted_scale_fits_the_small_screen(qtbot, make_kiosk) -> None:
    """What the scale does, measured on the real window: at 1920×1080 logical pixels (a
    1280×720 panel at 0.66) every visible control lies inside the window."""
    kiosk = make_kiosk()
    kiosk.window.resize(1920, 1080)
    qtbot.wait(50)
    hint = kiosk.window.minimumSizeHint()
    assert fitting_scale((hint.width(), hint.height()), (1920, 1080)) is None
