"""License styles the dev half of the larger corpus showed, each on a card written for it."""

from __future__ import annotations

from lineage.cards import read_card
from lineage.extract import extract
from lineage.facts import LicenseFact


def licenses(body: str, front: str = "language: en\n") -> list[tuple[str | None, str | None]]:
    card = read_card(f"---\n{front}---\n# M\n\n{body}".encode(), "me/tune/README.md",
                     id_hint="me/tune", id_hint_method="path")
    return [(f.id, f.name) for f in extract(card).of(LicenseFact)]


def test_a_creativeml_openrail_m_license_in_prose_is_that_license_not_the_family():
    assert licenses("## License\n\nThis model is open access, with a CreativeML OpenRAIL-M "
                    "license further specifying rights and usage.\n") == [
        ("creativeml-openrail-m", None)]
    assert licenses("## License\n\nReleased under the OpenRAIL++ license.\n") == [
        ("openrail++", None)]
    assert licenses("## License\n\nThe weights use an OpenRAIL license.\n") == [("openrail", None)]


def test_the_license_of_the_training_data_is_not_the_models():
    assert licenses("## Data\n\nOur sources are public. The datasets are all released under a "
                    "CC0 or CC-BY license.\n") == []
    assert licenses("## Data\n\nThe corpus is licensed under CC-BY-SA 4.0 license.\n") == []
    # the model named in the subject keeps it
    assert licenses("## Notes\n\nData and model weights are released under the MIT "
                    "license.\n") == [("mit", None)]
    assert licenses("## License\n\nData and weights are under CC-BY-NC 4.0.\n") == [
        ("cc-by-nc-4.0", None)]


def test_weights_under_a_license_of_its_own_name_beside_code_under_apache():
    body = ("## License\n#### Model License\n* The code in this repo is released under the "
            "[Apache-2.0](https://example.org/code/LICENSE) License.\n* The usage of the model "
            "weights must strictly follow the [Acme Model License.md]"
            "(https://example.org/code/Acme%20Model%20License.md).\n")
    assert licenses(body) == [("other", "Acme Model License")]


def test_a_license_section_heading_in_two_languages_linking_a_named_license_file():
    body = ("## 使用协议\uff08License Agreement\uff09\n\n"
            "我们的代码和模型权重对学术研究完全开放。\n\n"
            "Our code and checkpoints are open to research. Check [LICENSE]"
            "(https://example.org/repo/blob/main/Acme%20Chat%20LICENSE%20AGREEMENT) for more "
            "details about the license.\n")
    assert licenses(body) == [("other", "Acme Chat LICENSE AGREEMENT")]
    # a bare LICENSE file names no license
    assert licenses("## License\n\nSee [LICENSE](https://example.org/repo/LICENSE).\n") == []
    # nor does a dataset's own license
    assert licenses("## License\n\n1. [Foo Dataset license](https://example.org/foo)\n") == []


def test_non_commercial_use_only_in_a_license_section_is_a_bespoke_license():
    assert licenses("## License\n\n`tool` is an open-source library for non-commercial use and "
                    "scientific research purposes only.\n") == [("other", None)]


def test_front_matter_license_still_wins():
    assert licenses("## License\n\nThe datasets are under CC0 license.\n",
                    front="license: mit\n") == [("mit", None)]


def test_the_base_models_license_is_not_the_cards_own():
    assert licenses("## License\n\nThe base model is licensed under the Llama 2 Community "
                    "License. This fine-tune is released under the MIT license.\n") == [
        ("mit", None)]
    assert licenses("## License\n\nThe original model is licensed under the Llama 2 "
                    "license.\n") == []
    assert licenses("## License\n\nThis model, like its base model, is under Apache 2.0.\n") == [
        ("apache-2.0", None)]


def test_a_version_number_does_not_end_the_license_sentence():
    assert licenses("Model weights are released under CC-BY-NC-SA 4.0 license.\n") == [
        ("cc-by-nc-sa-4.0", None)]


def test_license_other_in_front_matter_named_only_in_the_text():
    assert licenses("- **License:** Acme-176B LICENSE v1.0\n", front="license: other\n") == [
        ("other", "Acme-176B LICENSE v1.0")]
    assert licenses("# license\nThis model is licensed under a modified Acme OpenRAIL-M "
                    "license.\n", front="license: other\n") == [
        ("other", "modified Acme OpenRAIL-M")]
    assert licenses("## License\n\nSee the [Acme Community License](https://example.org/l).\n",
                    front="license: other\n") == [("other", "Acme Community License")]
    # the front matter's own name wins; a bare LICENSE file names nothing
    assert licenses("- **License:** Acme LICENSE v1.0\n",
                    front="license: other\nlicense_name: acme-community\n") == [
        ("other", "acme-community")]
    assert licenses("## License\n\nSee [LICENSE](LICENSE).\n", front="license: other\n") == [
        ("other", None)]


def test_a_bold_license_field_holding_an_id_alone_is_that_license():
    def found(text: str) -> list[str]:
        card = read_card(text.encode(), "me/m/README.md", id_hint="me/m", id_hint_method="path")
        return [f.id for f in extract(card).facts if isinstance(f, LicenseFact)]

    assert found("---\nlibrary_name: peft\n---\n# M\n- **Developed by:** me\n"
                 "- **License:** MIT\n") == ["mit"]
    assert found("# M\n**License**: Apache-2.0\n") == ["apache-2.0"]
    # Not an id: a name of an institute is no license.
    assert found("# M\n- **License:** Massachusetts Institute\n") == []


def test_a_license_section_holding_only_a_link_named_by_an_id():
    assert licenses("# Tool\n\n## License\n\n[MIT](https://choosealicense.com/licenses/mit/)\n") \
        == [("mit", None)]
    # A link to some page under the heading names no license.
    assert licenses("# Tool\n\n## License\n\n[Details](https://example.org/terms)\n") == []


def test_a_license_field_followed_by_other_fields_on_its_line():
    assert licenses("# Wren\n- License: MIT \u00b7 Paper: Conf 2026 \u00b7 Hub: lab/wren\n") == \
        [("mit", None)]


def test_a_license_name_written_where_the_hub_wants_its_id_keeps_the_name_and_gets_its_spdx():
    card = read_card(b"---\nlicense: Apache License 2.0\n---\n# M\n", "me/tune/README.md")
    assert [(f.id, f.spdx) for f in extract(card).of(LicenseFact)] == \
        [("apache license 2.0", "Apache-2.0")]


# Styles of the dev half studied in session 7.

def test_code_and_weights_under_two_licenses_the_weights_license_is_the_models():
    text = ("# M\n## License\nThe code in this repository is open source under the [Apache-2.0]"
            "(https://www.apache.org/licenses/LICENSE-2.0) license. The model weights are "
            "licensed under the [Model License](MODEL_LICENSE).\n")
    assert licenses(text, "") == [("other", None)]
    # In one Chinese sentence, clause by clause; under a Chinese heading.
    zh = ("# M\n## 协议\n本仓库的代码依照 [Apache-2.0](LICENSE) 协议开源\uff0c"
          "模型的权重的使用则需要遵循 [Model License](MODEL_LICENSE)。\n")
    assert licenses(zh, "") == [("other", None)]
    # A license file named for the model ("LICENSE-MODEL") beside the code's.
    named = ("# M\n## 7. License\n\nThis code repository is licensed under [the MIT License]"
             "(LICENSE-CODE). The use of Wren models is subject to [the Model License]"
             "(LICENSE-MODEL).\n")
    assert licenses(named, "") == [("other", None)]
    # Only the code's license stated: that is no model license of its own file.
    assert licenses("# M\n## License\nThe code is under [our license](LICENSE).\n", "") == []


def test_each_llama_version_has_its_hub_license_id():
    text = ("**License:** Use of Wren is governed by the [Llama 3.2 Community License]"
            "(https://example.org/LICENSE) (a custom, commercial license agreement).\n")
    assert licenses(text, "") == [("llama3.2", None)]
    assert licenses("**License**: A custom commercial license, the Llama 4 Community License "
                    "Agreement.\n", "") == [("llama4", None)]


# Session 8: GNU and BSD licenses by their long names, and a license of its own by name.

def test_gnu_and_bsd_licenses_written_out():
    assert licenses("## License\n\nThese notebooks are under a public GNU License version 3.\n") \
        == [("gpl-3.0", None)]
    assert licenses("## License\n\nThe model is released under the GNU General Public License "
                    "(GPL) version 2.\n") == [("gpl-2.0", None)]
    assert licenses("## License\n\nReleased under the BSD 3-Clause license.\n") == \
        [("bsd-3-clause", None)]


def test_weights_released_under_a_license_of_its_own_name():
    assert licenses("## License\n\nWren code and model weights are released under the Wren-3 "
                    "License. See [LICENSE.md](LICENSE.md) for details.\n") == \
        [("other", "Wren-3 License")]
    # a family's name alone, "the same license", or the data's license name none
    for sentence in ("The model is released under the Apache License.",
                     "The model weights are released under the same License as the base model.",
                     "The dataset is released under the Acme Data License."):
        assert licenses(f"## License\n\n{sentence}\n") == [], sentence


def test_a_weights_license_named_with_cjk_brackets_wins_over_the_codes():
    body = ("# Wren-14B\n## License\n- For code, please comply with [Apache License Version 2.0]"
            "(./LICENSE)<br>\n- For model, please comply with [\u3010Wren-14B Series\u3011 Models "
            "Community License Agreement](./ModelsCommunityLicenseAgreement)\n")
    assert licenses(body) == [("other", "Wren-14B Series Models Community License Agreement")]
