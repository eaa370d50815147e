"""Training settings as cards state them: each style on a card written for it."""

from __future__ import annotations

from lineage.cards import read_card
from lineage.extract import extract
from lineage.facts import TrainingSetting


def settings(text: str) -> dict[str, object]:
    card = read_card(text.encode(), "me/tune/README.md", id_hint="me/tune", id_hint_method="path")
    return {s.key: s.value for s in extract(card).of(TrainingSetting)}


def test_a_sentence_transformers_card_lists_its_hyperparameters_with_keys_in_backticks():
    text = ("# Tune\n## Training Details\n#### Non-Default Hyperparameters\n\n"
            "- `per_device_train_batch_size`: 16\n- `per_device_eval_batch_size`: 16\n"
            "- `num_train_epochs`: 3\n\n#### All Hyperparameters\n\n- `learning_rate`: 5e-05\n"
            "- `per_gpu_train_batch_size`: None\n")
    got = settings(text)
    assert (got["batchSize"], got["epochs"], got["learningRate"]) == (16, 3, 5e-05)


def test_a_setfit_card_gives_pairs_and_the_bodys_learning_rate():
    text = ("# Tune\n### Training Hyperparameters\n- batch_size: (8, 8)\n- num_epochs: (1, 1)\n"
            "- head_learning_rate: 0.01\n- body_learning_rate: (2e-05, 2e-05)\n")
    got = settings(text)
    assert (got["batchSize"], got["epochs"], got["learningRate"]) == (8, 1, 2e-05)


def test_a_learning_rate_written_as_a_power_of_ten():
    text = ("# Tune\n## Training\nWe used a batch size of 32 and a learning rate of "
            "5 \u00b7 10\u22125 for pre-training.\n")
    assert settings(text)["learningRate"] == 5e-05


def test_a_training_command_or_config_in_code_gives_its_settings():
    command = ("# Tune\n## Training\n```bash\npython run_qa.py \\\n  --per_gpu_train_batch_size 12 "
               "\\\n  --learning_rate 3e-5 \\\n  --num_train_epochs 2.0 \\\n```\n")
    # (run_qa.py: one of the example training scripts of transformers)
    assert settings(command) == {"batchSize": 12, "learningRate": 3e-05, "epochs": 2,
                                 "framework": "transformers"}
    config = ('# Tune\n```json\n{\n    "learning_rate": 5e-05,\n    "num_train_epochs": 3,\n'
              '    "per_device_train_batch_size": 4,\n    "total_train_batch_size": 16\n}\n```\n')
    assert settings(config) == {"learningRate": 5e-05, "epochs": 3, "batchSize": 16}
    kwargs = ("# Tune\n```python\nargs = TrainingArguments(\n    num_train_epochs=3,\n"
              "    learning_rate=2e-5,\n    per_device_train_batch_size=2,\n)\n```\n")
    assert settings(kwargs) == {"epochs": 3, "learningRate": 2e-05, "batchSize": 2}


def test_code_that_only_runs_the_model_gives_no_settings():
    usage = "# Use\n```python\nout = pipe(texts, batch_size=8)\n```\n"
    assert settings(usage) == {}


def test_table_rows_ranges_and_thousands():
    table = ("# Tune\n|Spec|Value|\n|---|---|\n|Global batch size|1,024|\n|Epochs|3|\n"
             "|Learning rate|2e-4|\n")
    assert settings(table) == {"batchSize": 1024, "epochs": 3, "learningRate": 2e-04}
    ranges = "# Tune\n## Tips\n- Epochs: 5\u201310\n- Train for 3-5 epochs\n"
    assert "epochs" not in settings(ranges)


def test_the_trainer_a_card_names_in_its_version_list_or_tags_and_not_a_none_key():
    st = ("# Tune\n#### All Hyperparameters\n- `deepspeed`: None\n- `learning_rate`: 5e-05\n\n"
          "### Framework Versions\n- Python: 3.10.12\n- Sentence Transformers: 3.0.1\n"
          "- Transformers: 4.41.2\n")
    assert settings(st)["framework"] == "sentence-transformers"
    setfit = ("# Tune\n### Framework Versions\n- Python: 3.10\n- SetFit: 1.0.3\n"
              "- Transformers: 4.39\n")
    assert settings(setfit)["framework"] == "setfit"
    tagged = ("---\ntags: [text-generation, unsloth, trl]\n---\n# Tune\n### Framework versions\n"
              "- PEFT 0.12\n")
    assert settings(tagged)["framework"] == "unsloth"


def test_a_number_out_of_range_in_training_code_gives_no_setting():
    text = "# Tune\n```yaml\nepochs: 1e999\nlearning_rate: 1e999\nbatch_size: 0\n```\n"
    assert settings(text) == {}


# Frameworks named as such (styles of the dev half studied in session 7).

def test_a_framework_field_names_the_library():
    assert settings("# M\n- **Fine-tuning Framework:** Hugging Face Transformers\n") == \
        {"framework": "transformers"}
    assert settings("# M\n- Hardware: A100 40GB; framework: PyTorch + PEFT + Accelerate\n") == \
        {"framework": "peft"}
    # A field naming no library it knows says nothing.
    assert settings("# M\n- **Framework:** our own\n") == {}


def test_a_training_sentence_naming_the_library():
    assert settings("# M\nThe model was trained using the Hugging Face trainer.\n") == \
        {"framework": "transformers"}
    assert settings("# M\nThis model was trained using the diffusers based dreambooth "
                    "training.\n") == {"framework": "diffusers"}
    # Using the library to run the model is not training with it.
    assert settings("# M\nLoad it with transformers.\n") == {}


def test_an_example_training_script_of_transformers():
    flax = "# M\n```bash\n./run_clm_flax.py --output_dir out --model_type gpt2\n```\n"
    assert settings(flax) == {"framework": "flax"}


def test_the_library_that_made_an_adapter_or_its_training_tag():
    assert settings("---\nlibrary_name: peft\n---\n# M\n") == {"framework": "peft"}
    assert settings("---\nlibrary_name: diffusers\ntags: [diffusers-training]\n---\n# M\n") \
        == {"framework": "diffusers"}
    # A library that only loads the weights says nothing of training.
    assert settings("---\nlibrary_name: transformers\n---\n# M\n") == {}
