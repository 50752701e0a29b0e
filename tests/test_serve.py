"""The server's preparation (app_ui.serve): what it does before Streamlit starts listening."""

from app_ui import serve
from recsys.data.demo import load_demo
from recsys.store import Workspace


def test_the_demo_model_is_trained_once_into_an_empty_workspace(tmp_path):
    name = serve.ensure_demo_model(str(tmp_path))
    assert name == "als-demo"
    infos, problems = Workspace(tmp_path).list_models()
    assert not problems and [i.name for i in infos] == ["als-demo"]
    assert infos[0].matches(load_demo().fingerprint)
    assert serve.ensure_demo_model(str(tmp_path)) is None  # a restart trains nothing


def test_every_app_module_is_imported_before_the_server_starts():
    names = serve.import_app_modules()
    assert {"app_ui.entry", "app_ui.maps", "app_ui.common"} <= set(names)
    assert "app_ui.serve" not in names
