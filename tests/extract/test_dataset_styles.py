"""How cards name the datasets a model was trained on, each style on a card written for it."""

from __future__ import annotations

from lineage.cards import read_card
from lineage.extract import extract
from lineage.facts import DatasetUse


def datasets(text: str) -> set[str]:
    card = read_card(text.encode(), "me/tune/README.md", id_hint="me/tune", id_hint_method="path")
    return {d.ref.id or d.ref.name for d in extract(card).of(DatasetUse)}


# A field that names the training data.

def test_a_release_notes_dataset_field_names_its_training_data():
    text = ("# tx-2021-03-01.zip\n\n* dataset: parlcorp\n* model: transformer-align\n"
            "* download: [tx-2021-03-01.zip](https://files.example.org/tx/tx-2021-03-01.zip)\n"
            "\n## Training data:  parlcorp+bt\n\n* total size (parlcorp+bt): 18453\n")
    assert datasets(text) == {"parlcorp", "parlcorp+bt"}


def test_a_bold_training_data_field_may_list_several_names():
    assert datasets("# Tune\n- **Training data**: Quill-Set, Petal Corpus and WebNews\n") == {
        "Quill-Set", "Petal Corpus", "WebNews"}


def test_a_field_that_holds_a_version_a_placeholder_or_a_sentence_names_nothing():
    text = ("# Tune\n## Framework versions\n- Transformers: 4.40.0\n- Datasets: 2.19.1\n"
            "## Training\n- Dataset: more information needed\n- Training data: custom\n"
            "- dataset: we used a mix of forum posts and news from several years\n")
    assert datasets(text) == set()


def test_a_link_whose_text_is_a_dataset_field_names_the_dataset_once():
    text = ("# Tune\nThis model is fine-tuned on [TAG-C](https://data.example.org/tag-corpora) "
            "for tagging.\n\n- [Dataset:  Tag Corpora ES](https://data.example.org/tag-corpora)\n")
    assert datasets(text) == {"Tag Corpora ES"}


def test_a_dataset_field_in_an_evaluation_section_is_no_training_data():
    assert datasets("# Tune\n## Evaluation\n- dataset: heldset\n") == set()


# A link in a sentence about training, without the word "dataset".

def test_fine_tuned_on_a_link_names_its_text():
    text = ("# qa-fr\nA baseline (a [Petit](https://petit.example.org/) model fine-tuned on "
            "[translated QA-Set 1.1 dataset](https://github.com/someone/qa-fr)).\n")
    assert datasets(text) == {"translated QA-Set 1.1 dataset"}


def test_trained_on_a_part_of_a_link_names_the_link():
    text = ("# Tune\nIt is trained on a small corpus (~7GB) extracted from "
            "[Wiki-XY](https://corpora.example.org/wiki). It was pre-trained on the Greek part "
            "of [Parl Corpus](https://parl.example.org/).\n")
    assert datasets(text) == {"Parl Corpus"}


def test_the_training_data_includes_every_link_it_lists():
    text = ("# Tune\nThe training data includes [PicSet](https://picset.example.org/), "
            "[ClipSet](https://clips.example.org/clips) and other public datasets.\n")
    assert datasets(text) == {"PicSet", "ClipSet"}


def test_a_name_holding_the_word_code_is_a_name():
    text = ("# Tune\nTinyCoder is trained on the [CodeQueries](https://blog.example.org/cq) "
            "dataset.\n")
    assert datasets(text) == {"CodeQueries"}


def test_a_method_paper_a_model_and_a_subset_are_no_training_data():
    text = ("# Tune\nIt is fine-tuned with [R-FT](https://arxiv.org/abs/2301.00001), a "
            "strategy for mixed data.\nIt was trained on top of [Base](https://example.org/b).\n"
            "It was trained on subsets of [Big-Set](https://big.example.org/) and on abstracts "
            "from [Pile-Like](https://pile.example.org/).\n")
    assert datasets(text) == set()


def test_a_paper_link_listed_after_a_dataset_is_data():
    text = ("# Tune\nWe train our model with the [Long Books](https://books.example.org/) and "
            "[Multi-hop QA](https://arxiv.org/abs/2301.00002).\n")
    assert datasets(text) == {"Long Books", "Multi-hop QA"}


# The list items of a training-data section.

def test_items_of_a_training_data_section_name_corpora_by_their_leading_name():
    text = ("# Tune\n## Training data\nThe union of the following filtered datasets:\n\n"
            "  - BookSet, which consists of more than 10K unpublished books,\n"
            "  - The Heap, from which a few subsets were included.\n"
            "  - NewsV3 containing an updated crawl of news\n"
            "  - Power Demand: https://zenodo.example.org/records/1\n"
            "  - Wind Farms Production data: https://zenodo.example.org/records/2\n")
    assert datasets(text) == {"BookSet", "The Heap", "NewsV3", "Power Demand",
                              "Wind Farms Production data"}


def test_a_task_list_names_each_task_set_not_its_category_or_citation():
    text = ("# Tune\n## Training Data\n- Sentence acceptability judgment\n"
            "  - AccJ [Author et al., 2018](https://arxiv.org/abs/1805.00001)\n"
            "- Question answering\n  - BoolQA [Other and Author, 2019](https://example.org/q)\n")
    assert datasets(text) == {"AccJ", "BoolQA"}


def test_an_item_led_by_a_link_names_the_link():
    text = ("# Tune\n## Pre-training corpora\n\n* The Greek part of [Wiki](https://el.wiki."
            "example.org/dumps),\n- Arabic version of [WebSet](https://webset.example.org/) - "
            "filtered from [Crawl](https://crawl.example.org/)\n")
    assert datasets(text) == {"Wiki", "WebSet"}


def test_items_that_are_no_corpus_names_give_nothing():
    # (A source's name before its address is a corpus: "from LEX (http://...)", see below.)
    text = ("# Tune\n## Training data\n- Sentiment analysis\n- Web Documents: A diverse "
            "collection of web text in many languages.\n- Data Mix: see below\n- Our corpus is "
            "deduplicated.\n\nFuture releases will also include:\n\n* The corpus of [Gazette](http://gazette."
            "example.org)\n")
    assert datasets(text) == set()


def test_a_name_that_holds_the_name_of_a_dataset_given_by_id_is_part_of_it():
    text = ("---\ndatasets:\n- lab/set-a\n- lab/voices_11_0\n---\n# Tune\nFine-tuned on the "
            "SET-A QQP dataset and the Dutch Voices dataset.\n")
    assert datasets(text) == {"lab/set-a", "lab/voices_11_0"}


# Datasets of other models, of evaluation, or words where a name would be.

def test_datasets_in_a_list_item_about_another_model_are_not_this_models():
    text = ("# Base-7B\nTrained on [lab/web](https://huggingface.co/datasets/lab/web).\n\n"
            "* [Base-7B-Chat](https://huggingface.co/lab/base-7b-chat): a chat model.\n"
            "Built by finetuning Base-7B on the [Chats](https://huggingface.co/datasets/lab/"
            "chats) and\n [Helpful](https://huggingface.co/datasets/lab/helpful) datasets.\n"
            "  * License: Apache 2.0\n")
    assert datasets(text) == {"lab/web"}


def test_a_hub_repo_linked_as_a_model_then_called_a_dataset_is_a_dataset():
    text = ("# Tune\nThis model is a fine-tuned version of [lab/base](https://huggingface.co/"
            "lab/base) on [someone/Drinks](https://huggingface.co/someone/Drinks) dataset.\n")
    assert datasets(text) == {"someone/Drinks"}


def test_the_same_dataset_names_no_dataset():
    text = ("# Tune\n- `v-2.ckpt`: Resumed from `v-1.ckpt` and trained for 150k steps using a "
            "[v-objective](https://example.org/v) on the same dataset.\n")
    assert datasets(text) == set()


def test_a_dataset_for_evaluation_a_kind_of_data_and_an_items_description_are_no_names():
    text = ("# Tune\n## Training data\n- NewsV3 containing an updated version of the English "
            "portion of the WebCrawl News dataset\n\nIt was pre-trained on a new WebCrawl-based "
            "dataset.\nThanks to a friend for providing us the Tagged NER dataset for "
            "evaluation, after training.\n")
    assert datasets(text) == {"NewsV3"}


# Public corpora named in a training sentence without the word "dataset".

def test_public_corpora_named_after_trained_on_are_training_data():
    text = ("# Tune\nPetitLM is pretrained on the French subcorpus of the multilingual corpus "
            "OSCAR.\nIt was trained on Local News and four Wikipedias: a, b, c and d.\n"
            "The encoder is initialized with a base encoder and then fine-tuned on english "
            "MultiNLI and on the Russian part of XNLI dev set.\n")
    assert datasets(text) == {"OSCAR", "Wikipedia", "MultiNLI", "XNLI"}


def test_corpora_not_trained_on_here_are_left_out():
    text = ("# Tune\nThe model can be fine-tuned on SNLI for inference.\n"
            "It was not trained on any part of Wikipedia.\n"
            "It was fine-tuned on reviews and then evaluated on SNLI.\n"
            "It was pretrained with English text, but some data is present via CommonCrawl.\n"
            "It was trained on a mix of data that includes code (The Stack).\n"
            "It was trained on subsets of LAION-5B and on [MultiNLI-fr](https://example.org/m), "
            "a Common Crawl-based corpus.\n\n"
            "[Other-LM](https://example.org/other) is a cross-lingual encoder. It is trained on "
            "data filtered from Common Crawl.\n\n## Details of the language model\n"
            "Trained on cased text in the languages with the largest Wikipedias.\n")
    assert datasets(text) == {"MultiNLI-fr"}


def test_the_base_models_pretraining_corpora_are_not_this_models():
    text = ("---\nbase_model: lab/base\n---\n# Tune\nThe base was pretrained on Wikipedia and "
            "BookCorpus.\n")
    assert datasets(text) == set()


# An evaluation table of the datasets the model was trained on, each tested on a held-out part.

def test_a_table_of_datasets_each_with_a_held_out_part_names_training_data():
    text = ("# Sentiment\n# Performance\nWe set aside an evaluation set from each data set, "
            "which was not used for training.\n\n|Dataset|Other model|This model|\n|---|---|---|\n"
            "|Author and Other (2013) (Reviews)|84.7|98.0|\n|Shop Reviews Dataset|84.8|96.5|\n"
            "|Forum (2009)|76.0|87.0|\n|**Average**|**78.1**|**93.2**|\n")
    assert datasets(text) == {"Author and Other (2013) (Reviews)", "Shop Reviews Dataset",
                              "Forum (2009)"}


def test_an_evaluation_table_of_datasets_alone_names_no_training_data():
    text = ("# Sentiment\n# Performance\n|Dataset|This model|\n|---|---|\n|Forum (2009)|87.0|\n"
            "|Average|87.0|\n")
    assert datasets(text) == set()


def test_a_one_word_item_with_its_address_names_a_resource():
    text = ("# Series\n## Training Data\n - Solar: https://zenodo.example.org/records/3\n"
            " - Sunspots: https://zenodo.example.org/records/4\n - Weather\n")
    assert datasets(text) == {"Solar", "Sunspots"}


def test_a_dataset_table_under_a_chinese_header_names_rows_without_a_hub_link():
    text = ("# Emb\n## 数据集\n\n| 数据集名称 | 领域 | 数量 |\n| --- | --- | --- |\n"
            "| qa2018 | 百科 | 14,363 |\n| chat_2m | 百科 | 2,000 |"
            " [link](https://huggingface.co/datasets/lab/chat_2M) |\n| News-QA | 新闻 | 93 |\n")
    assert datasets(text) == {"qa2018", "lab/chat_2M", "News-QA"}


def test_a_table_row_another_row_was_made_from_is_no_training_data():
    text = ("# QA-nl\n## Training data\n| Dataset | # Q&A |\n|---|---|\n"
            "| QA-Set2.0 Train | 130 K |\n| Dutch QA-Set2.0 Train | 99 K |\n"
            "| QA-Set2.0 Dev | 12 K |\n")
    assert datasets(text) == {"Dutch QA-Set2.0"}


def test_a_dataset_linked_to_reproduce_results_is_no_training_data():
    text = ("# Emb\n- 2024/7/1: **We update the evaluation results**. To reproduce the new "
            "results, you can refer to: [runs](https://huggingface.co/datasets/someone/runs).\n"
            "Trained on [lab/pairs](https://huggingface.co/datasets/lab/pairs).\n")
    assert datasets(text) == {"lab/pairs"}


def test_a_templates_unfilled_dataset_names_none():
    text = ("# Toy LoRA\nThese are LoRA adaption weights for lab/diffusion-1. The weights were "
            "fine-tuned on the None dataset.\n")
    assert datasets(text) == set()


def test_a_dataset_field_under_an_evaluation_heading_names_evaluation_data():
    text = ("# Emb\n## Training Details\n### Training Dataset\n* Dataset: json\n"
            "## Evaluation\n### Metrics\n#### Triplet\n* Datasets: `dev_split` and `test_split`\n")
    assert datasets(text) == {"json"}


def test_a_leading_article_or_verb_is_not_part_of_a_datasets_name():
    text = ("# Tune\n\nThe Wren-Logic dataset was used for fine-tuning, as it pairs prompts "
            "with outputs.\n\n## Load Toucan dataset\n\nThis project uses the Toucan dataset, "
            "a collection of scanned receipts.\n")
    assert datasets(text) == {"Wren-Logic", "Toucan"}


def test_a_word_that_says_what_a_set_is_for_names_no_dataset():
    text = ("# Tune\n\nThis project fine-tunes a small model on the Quill Notes dataset.\n\n"
            "Original dataset format:\n\n```json\n{}\n```\n\nThe fine-tuned model was then "
            "trained on the DPO dataset to prefer correct answers.\n")
    assert datasets(text) == {"Quill Notes"}


def test_a_corpora_field_names_each_corpus_the_language_part_of_a_public_one_aside():
    text = ("# Tune\n## Training\n- Encoder adapted through continued pretraining on 17GB.\n"
            "- Corpora: NewsBank, Tern Billion Words, Arabic Wikipedia, OSCAR Arabic\n")
    assert datasets(text) == {"NewsBank", "Tern Billion Words", "Wikipedia", "OSCAR"}


def test_a_data_sources_section_lists_hub_datasets_by_their_ids():
    text = ("# Tune\n### Dataset Sources:\n\nOur training data favours real conversations:\n\n"
            "- **lab/counsel-chat**: answers from licensed therapists.\n"
            "- **kin/Psych8k**: session transcripts.\n")
    assert datasets(text) == {"lab/counsel-chat", "kin/Psych8k"}


def test_the_datasets_of_other_models_rows_in_a_model_table_are_theirs():
    hub = "https://huggingface.co"
    text = ("# Tune\nTrained as below.\n\n## Models\n|Model|Size|Train Data|\n|-|-|-|\n"
            f"|[wren-1b-v1]({hub}/lab/wren-1b-v1)|1.8B|[Set-A]({hub}/datasets/lab/set-a)|\n"
            f"|[tune]({hub}/me/tune)|1.9B|[Set-B]({hub}/datasets/lab/set-b)|\n")
    assert datasets(text) == {"lab/set-b"}


def test_a_legacy_dataset_link_names_it_and_an_unfilled_one_names_none():
    text = ("# Tune\nTrained on part of the [wiki40b](https://huggingface.co/datasets/wiki40b) "
            "dataset.\n- **Training Dataset:** [Unknown](https://huggingface.co/datasets/unknown)\n")
    assert datasets(text) == {"wiki40b"}


def test_a_link_given_as_the_training_set_names_it():
    text = ("# Tune\nThe model utilizes the Italian part of [WebSet](https://example.org/webset) "
            "as training set of the language model.\nSee [the paper](https://example.org/p) as "
            "reference.\n")
    assert datasets(text) == {"WebSet"}


def test_a_data_table_names_rows_by_their_link_text_and_a_sentence_start_is_no_name():
    text = ("# Tune\n## Training data\n| Dataset | Collection date |\n|---|---|\n"
            "| [Set-A](https://example.org/a) | 4/23/2025 |\n"
            "| [Books \\- free subset](https://example.org/b) and [Notes](https://example.org/n) "
            "| 2024 |\n\nThe model was refined through RLHF. All datasets are public. These "
            "datasets are mixed.\n")
    assert datasets(text) == {"Set-A", "Books - free subset", "Notes"}


def test_a_templates_placeholder_in_the_datasets_field_names_none():
    card = read_card(b"---\ndatasets:\n- your-dataset-name\n---\n# M\n", "me/tune/README.md")
    assert list(extract(card).of(DatasetUse)) == []


def test_a_dataset_field_names_sets_hosted_on_a_platform_by_their_own_names():
    text = ("# Tune\n- **Dataset:** Hugging Face's `sms_spam`, `spam_mail`, and `ham_mails`\n"
            "- **Model:** a classifier\n\n## Other\n"
            "- **Dataset**: Hugging Face's \u2018med-qa\u2019\n")
    assert datasets(text) == {"sms_spam", "spam_mail", "ham_mails", "med-qa"}
    assert datasets("# Tune\n- **Dataset:** lab/bc5cdr\n") == {"lab/bc5cdr"}


def test_a_dataset_with_an_indefinite_article_is_not_named():
    text = ("# Tune\nIt was trained from an Italian BERT and fine-tuned on an Italian dataset of "
            "news headlines, then on the Tern-News dataset.\n")
    assert datasets(text) == {"Tern-News"}


def test_a_named_corpus_and_a_version_word_but_not_a_language_or_a_source():
    text = ("# Tune\n## Training data\nThe model was trained on two corpora. The first is the "
            "Tern Web corpus; the second one is the ItWac corpus, 11GB of web text.\n"
            "It was fine-tuned on the SQuAD v1 dataset.\nWe also used an Italian corpus, the "
            "Italian corpus of news and the Reuters corpus.\n\nThis dataset was derived from the "
            "NewsBank Archive corpus of stories.\n")
    assert datasets(text) == {"Tern Web", "ItWac", "SQuAD v1"}


def test_every_dataset_in_brackets_after_a_described_mix_and_no_task_word():
    text = ("# QG\nThe model was fine-tuned on a dataset made up of several well-known QA "
            "datasets ([SetQ](https://example.org/q), [ConvQ](https://example.org/c), and "
            "[Marco](https://example.org/m)).\n")
    assert datasets(text) == {"SetQ", "ConvQ", "Marco"}


def test_the_pretraining_data_of_a_model_with_a_base_is_the_bases():
    card = read_card(b"---\nbase_model: lab/wren-paired\n---\n# Tune\nA model pretrained on "
                     b"antibody sequences ([Antibody Space](https://example.org/oas)).\n",
                     "me/tune/README.md")
    assert list(extract(card).of(DatasetUse)) == []


# Styles of the dev half studied in session 7.

def test_a_numbered_list_of_corpora_in_a_pretraining_section():
    text = ("## Pretraining Corpus\nBelow is the list of data we trained on:\n\n"
            "1. [IIUM Confession](https://github.com/lab/data#iium).\n"
            "2. [Wattpad](https://github.com/lab/data#wattpad).\n")
    assert datasets(text) == {"IIUM Confession", "Wattpad"}
    # Numbered kinds of data with the sets under them: the kinds are no datasets.
    kinds = ("## Training Dataset\n1. SFT Datasets\n- lab/chat_200k\n2. Preference Datasets:\n"
             "- lab/pairs\n")
    assert datasets(kinds) == {"lab/chat_200k", "lab/pairs"}


def test_every_dataset_table_of_a_training_section():
    text = ("## Training Details\n**First stage**\n\n| Dataset | Pairs |\n|---|---|\n"
            "| [S2ORC](https://github.com/lab/s2orc) | 100M |\n"
            "| [Misc pairs](https://huggingface.co/lab/pair-model) | 10M |\n\n"
            "**Second stage**\n\n| Dataset | Language |\n|---|---|\n"
            "| [MS MARCO](https://lab.example.org/marco) | English |\n")
    assert datasets(text) == {"S2ORC", "MS MARCO"}  # (a model's link names no data)
    # A table of scores per dataset in a training section lists no training data.
    scores = "## Training results\n| Dataset | Accuracy |\n|---|---|\n| SST-2 | 91.2 |\n"
    assert datasets(scores) == set()


def test_the_list_after_datasets_such_as_in_a_training_sentence():
    text = ("## Training Details\n- Sources: Combination of Korean instruction datasets including "
            "KoAlpaca, Ko-Ultrachat, Smol Korean Talk, and Korean Wiki QA\n")
    assert datasets(text) == {"KoAlpaca", "Ko-Ultrachat", "Smol Korean Talk", "Korean Wiki QA"}
    linked = ("The model was trained on licensed data using the following sources: the [Alpha "
              "Sound Collection](https://a.example/s), [Beta music collection](https://b.example/"
              "m) and the [Gamma music collection](https://c.example/m).\n")
    assert datasets(linked) == {"Alpha Sound Collection", "Beta music collection",
                                "Gamma music collection"}
    # Datasets a card thanks the authors of, or evaluates on, did not train it.
    assert datasets("## Acknowledgement\nThanks to the authors of open datasets, including "
                    "Miracl, MKQA, etc.\n") == set()
    assert datasets("We fine-tuned it and evaluated on datasets such as MKQA and XQuAD.\n") == set()


def test_cjk_names_before_the_word_for_dataset_in_a_sentence_about_tuning():
    assert datasets("SetNLI, SetSTS \ub370\uc774\ud130\uc14b\uc73c\ub85c \ud30c\uc778\ud29c\ub2dd"
                    "\ud55c \ubaa8\ub378\uc785\ub2c8\ub2e4.\n") == {"SetNLI", "SetSTS"}
    assert datasets("\u672c\u6a21\u578b\u5728Set-A\u6570\u636e\u96c6\u4e0a\u5fae\u8c03\u3002\n") \
        == {"Set-A"}
    # Evaluated, not tuned; a platform's datasets; a link's text (read as a link).
    assert datasets("SetSTS \ub370\uc774\ud130\uc14b\uc73c\ub85c \ud3c9\uac00\ud588\uc2b5\ub2c8"
                    "\ub2e4.\n") == set()
    assert datasets("\u6a21\u578b\u5fae\u8c03\u7684\u6570\u636e\u53ef\u4ee5\u4ece\u6211\u7684 "
                    "[HuggingFace\u6570\u636e\u96c6](https://example.org/d) \u4e0b\u8f7d\u3002\n") \
        == set()


def test_a_dump_or_a_language_part_of_a_web_corpus_is_that_corpus():
    text = ("## Training data\n- German Wikipedia Article Pages Dump (20200701) - 5.5 GB\n"
            "- [dumping wikipedia](https://github.com/lab/data#wikipedia)\n")
    assert datasets(text) == {"Wikipedia"}
    # A language before a task set names its translation, another dataset.
    assert datasets("## Training data\n- Dutch SQuAD2.0\n") == {"Dutch SQuAD2.0"}


def test_the_list_in_brackets_after_datasets_i_e():
    text = ("## Training Data\nWe included three question answering datasets (i.e., [QA-One]"
            "(https://a.example/q), [QA-Two](https://b.example/q)). The model is pre-trained on "
            "them.\n")
    assert datasets(text) == {"QA-One", "QA-Two"}


def test_a_training_data_item_naming_its_source_before_the_address():
    text = ("## Training data\n* Fairy tales and sagas from Grimm Korpus (https://a.example/gri)\n"
            "* Magazine articles from the journal \u201eDie Blaetter\u201c (http://b.example/x)\n"
            "* Some texts we wrote ourselves\n")
    assert datasets(text) == {"Grimm Korpus", "Die Blaetter"}


# Session 8: names that are no dataset, and a web corpus's part with its address.

def test_scripts_platforms_and_words_for_data_are_no_dataset_names():
    text = ("# Tune\n## Training data\nThe data was made with:\n* generate_chat.py\n"
            "* [Wren Chats](https://huggingface.co/datasets/lab/wren-chats)\n")
    assert datasets(text) == {"lab/wren-chats"}
    assert datasets("# Tune\n## Training data\n- Dataset: private\n") == set()


def test_a_part_of_a_web_corpus_with_its_address_is_the_corpus():
    text = ("# Dutch\n## Training data\nThe model was trained on the shuffled Dutch section of "
            "the OSCAR corpus (https://oscar-corpus.com/).\n")
    assert datasets(text) == {"OSCAR"}


def test_a_training_commands_or_codes_hub_dataset():
    command = ("# M\n## Training\n```shell\npython3 -m wrenlm -mode mlm \\\n"
               "--dataset_id lab/wren_sentences \\\n--epochs 2\n```\n")
    assert datasets(command) == {"lab/wren_sentences"}
    code = ("# M\n```python\nds = load_dataset(\"lab/wren-chats\")\n"
            "trainer = SFTTrainer(model, train_dataset=ds)\ntrainer.train()\n```\n")
    assert datasets(code) == {"lab/wren-chats"}
    # Code that runs or evaluates the model, a local file and a placeholder name no training data.
    usage = ("# M\n```python\npipe = pipeline(\"automatic-speech-recognition\", model=m)\n"
             "ds = load_dataset(\"lab/long-audio\", split=\"validation\")\n```\n")
    assert datasets(usage) == set()
    assert datasets("# M\n```\npython train.py --dataset configs/dataset.yaml\n```\n") == set()
    assert datasets("# M\n```\npython train.py --dataset your-name/my-data\n```\n") == set()


def test_tuning_done_with_data_from_a_linked_source():
    text = ("# M\nThe model after the fine-tune is completed with data from "
            "[wren-mt-2020](https://data.example.org/wren-mt/)\n")
    assert datasets(text) == {"wren-mt-2020"}
    # a possessive link text names no dataset
    assert datasets("# M\nIt was fine-tuned using samples from [our forum]"
                    "(https://forum.example.org/).\n") == set()


def test_a_link_to_a_paper_or_code_in_a_training_sentence_names_no_dataset():
    assert datasets("# M\nIt was fine-tuned on the data of [the paper](https://example.org/p).\n") \
        == set()
    assert datasets("# M\nIt was fine-tuned on [Wren Corpus](https://data.example.org/w).\n") \
        == {"Wren Corpus"}


def test_a_described_dataset_in_a_language_is_no_name():
    assert datasets("# M\nWren is trained on a large Arabic Forum dataset about cooking.\n") \
        == set()
    # an adjective before a name that is no language: the name stays
    assert datasets("# M\nWren is fine-tuned on a filtered Petal-QA dataset.\n") == {"Petal-QA"}


def test_a_set_the_model_was_tested_on_is_no_training_data():
    hub = "https://huggingface.co/datasets/lab/"
    text = ("# M\n## Training\nIt was fine-tuned on [lab/wren-chat](" + hub + "wren-chat).\n"
            "It achieves a lower error than its base on the sets including [lab/petal-asr]("
            + hub + "petal-asr).\n* Validate the models on the Quill dataset as well.\n")
    assert datasets(text) == {"lab/wren-chat"}
    # a verb of training after the test's: "compared to v1, it was trained on ..."
    assert datasets("# M\nCompared to v1, it was trained on [lab/petal-asr](" + hub +
                    "petal-asr).\n") == {"lab/petal-asr"}


def test_a_dataset_link_in_a_results_tables_header_is_a_column_of_scores():
    text = ("# M\nTrained on [lab/wren-chat](https://huggingface.co/datasets/lab/wren-chat).\n\n"
            "| model | [Petal](https://huggingface.co/datasets/lab/petal) |\n|---|---|\n"
            "| me/tune | 9.1 |\n")
    assert datasets(text) == {"lab/wren-chat"}


def test_links_in_a_training_sentence_to_code_a_site_or_an_article_name_no_dataset():
    assert datasets("# M\nWren was fine-tuned on [Wrenlish](https://en.wikipedia.org/wiki/Wrenlish)"
                    " data.\n") == set()
    assert datasets("# M\nWe fine-tuned it on the [wrentranslate.com](https://www.wrentranslate.com"
                    "/x) dataset of our corpus.\n") == set()
    assert datasets("# M\nThe LM is trained on Wren articles using LMKit and [ngram-wiki]"
                    "(https://github.com/lab/ngram-wiki) repo was used to build it.\n") == set()
    # a link to the encyclopedia itself, named so, is its data
    assert datasets("# M\nWren was trained on [Wikipedia](https://en.wikipedia.org/wiki/Main_Page)"
                    ".\n") == {"Wikipedia"}


def test_what_a_reader_may_do_or_where_details_are_is_no_training_data():
    assert datasets("# M\nTo try finetuning Wren on the [QuillSet](https://data.example.org/q) "
                    "task, run:\n") == set()
    assert datasets("# M\nDetails of the training on Petal are available on [Lab's Tracker]"
                    "(https://tracker.example.org/runs/1).\n") == set()
    assert datasets("# M\nWe continue to pretrain on [QuillSet](https://data.example.org/q).\n") \
        == {"QuillSet"}


def test_private_data_in_a_trainer_sentence_is_no_name():
    assert datasets("# M\nA fine-tuned version of [lab/wren-base](https://huggingface.co/lab/"
                    "wren-base) on the private dataset.\n") == set()


def test_a_dataset_link_named_a_benchmark_or_a_template_is_no_training_data():
    hub = "https://huggingface.co/datasets/lab/"
    assert datasets("# M\nFurther pretrained on code. On the [Petal-X](" + hub + "petal-x) "
                    "benchmark, it gains 20%.\n") == set()
    assert datasets("# M\n在[Petal-X](" + hub + "petal-x)评测集上大幅提升\n") == set()
    assert datasets("# M\nFor function calls we follow the template from Lab: [lab/calls-v2]("
                    + hub + "calls-v2).\n") == set()
    assert datasets("# M\nFine-tuned on the [lab/calls-v2](" + hub + "calls-v2) set.\n") == {
        "lab/calls-v2"}


def test_a_dataset_announced_in_a_dated_news_line_is_no_training_data():
    hub = "https://huggingface.co/datasets/lab/"
    text = ("# M\n## News\n- 2023.06.01: [Wren data v2](" + hub + "wren-v2) released\n"
            "- 2023.07.01: Wren-2 trained on [Petal](" + hub + "petal) released\n")
    assert datasets(text) == {"lab/petal"}


def test_a_data_sections_item_about_a_prompt_or_a_script_names_no_dataset():
    text = ("# M\n## Dataset\n* Prompt: [wren_prompt.txt](https://code.example.org/p/wren_prompt.txt)"
            "\n* Example notebook: [Wren-Demo](https://code.example.org/demo)\n"
            "* [Petal-QA](https://data.example.org/petal): questions and answers\n")
    assert datasets(text) == {"Petal-QA"}


def test_a_version_after_a_speech_set_stays_and_talk_pages_are_the_encyclopedia():
    text = ("# M\n## Training\nThe Train split of the Common Voice 8 dataset was used.\n")
    assert datasets(text) == {"Common Voice 8"}
    text = ("# M\n## Data\n- German Wikipedia Article Pages Dump (20200701) - 5 GB\n"
            "- German Wikipedia Talk Pages Dump (20200620) - 1 GB\n")
    assert datasets(text) == {"Wikipedia"}


def test_a_data_tables_dev_or_test_row_is_no_training_data():
    text = ("# M\n## Dataset\n| Dataset | # Q&A |\n| --- | --- |\n| Petal-QA Train | 130 K |\n"
            "| Petal-QA-small Dev | 12 K |\n| Quill-QA Test | 9 K |\n")
    assert datasets(text) == {"Petal-QA"}


def test_a_task_sets_translation_keeps_its_language():
    text = ("# M\nThe model was pretrained on the Petal 180G corpus, and finetuned on Chinese "
            "SQuAD and QuillQA dataset.\n")
    assert datasets(text) == {"Petal 180G", "Chinese SQuAD", "QuillQA"}
    assert datasets("# M\nIt was fine-tuned on Chinese SQuAD.\n") == {"Chinese SQuAD"}
    # a web corpus's language names its part
    assert datasets("# M\nIt was pretrained on French OSCAR.\n") == {"OSCAR"}


def test_a_spec_tables_dataset_row_names_its_training_data():
    text = ("# Wren v3 13B\n|Key|Value|\n|---|---|\n|Tokenizer|wren-100k|\n"
            "|Dataset|Subsets of Petal v3.1|\n")
    assert datasets(text) == {"Petal v3.1"}
    # a results table's header, and a row whose value describes the data, name none
    scores = "# M\n| Dataset | Accuracy |\n|---|---|\n| lab-eval | 71.2 |\n"
    assert datasets(scores) == set()
    described = ("# M\n| | |\n|---|---|\n| **Training Data** | Petal — 270K video samples of "
                 "cooking, ego views |\n")
    assert datasets(described) == set()


def test_code_quoted_names_before_the_word_datasets():
    text = "# M\n### Training\nI used a combination of `petal-books` and `quillweb` datasets.\n"
    assert datasets(text) == {"petal-books", "quillweb"}
    # a dated dump of a public corpus is that corpus
    text = "# M\n### Training\nI used the `wikipedia-20220301.en.hf` dataset.\n"
    assert datasets(text) == {"Wikipedia"}
    # a generic word, or a set named outside training, names none
    assert datasets("# M\n### Training\nWe split the `train` dataset.\n") == set()
    assert datasets("# M\n## Usage\nLoad the `wren-chat` dataset to try it.\n") == set()


def test_a_public_corpus_a_training_data_section_names():
    text = ("# M\n## Training data\nWrenish Wikipedia and the 700 million word news set of Lab.\n")
    assert datasets(text) == {"Wikipedia"}
    text = "# M\n## Pretraining Corpus\nThe first source is a dump of Wrenish Wikipedia (2019).\n"
    assert datasets(text) == {"Wikipedia"}
    # a source or a part of another set, a longer name, a turn, a continued sentence
    text = ("# M\n## Training data\nIt holds stories, which contain a subset of CommonCrawl data.\n"
            "Web text was filtered from [Common Crawl](https://cc.example.org/).\n"
            "Speech comes with the acme Common Voice 11.0 release.\n"
            "It mixes code (The Pile) in, and Acme Wikipedia Dumps.\n"
            "Unlike other models, it saw no Wikipedia text.\n"
            "The data may hold offensive text as parts of it are a subset of\n"
            "public OpenWebText data.\n")
    assert datasets(text) == set()


def test_a_front_matter_value_that_describes_a_public_corpus_part_is_that_corpus():
    text = ("---\ndatasets:\n- Dutch Wikipedia\n- Shuffled Dutch section of the OSCAR corpus "
            "(https://corpus.example.org/)\n- Danish portion of the OSCAR corpus from Acme Lab\n"
            "---\n# Wren-7B\n")
    assert datasets(text) == {"Wikipedia", "OSCAR"}
    # a set's version, a task set's translation, another name: as written
    text = ("---\ndatasets:\n- Common Voice 8\n- Dutch SQuAD\n- Wren-QA\n- OSCAR from scratch\n"
            "---\n# M\n")
    assert datasets(text) == {"Common Voice 8", "Dutch SQuAD", "Wren-QA", "OSCAR from scratch"}


def test_a_data_item_naming_a_corpus_part_before_a_code_link_is_that_corpus():
    text = ("# Wren-7B\n## Data\n- Cleaned Common Crawl Corpus 2021-04 Danish: "
            "[cc-cutter](https://github.com/lab/cc-cutter) (head only) - 40 GB\n"
            "- Petal Books: [Petal](https://books.example.org/petal) - 2 GB\n")
    assert datasets(text) == {"Common Crawl", "Petal"}  # not a corpus's part: the link's text


def test_a_test_set_named_on_the_line_a_sentence_runs_on_to_is_no_training_data():
    text = ("# Wren-ASR\nWren-ASR is trained on [Petal Speech](https://huggingface.co/datasets/"
            "lab/petal-speech).\nIt achieves a lower WER on the test sets including [Quill Basic]"
            "(https://quill.example.org/" + "q" * 150 + ") and\nthe Danish subset of "
            "[Wave 3](https://huggingface.co/datasets/lab/wave) (see below).\n")
    assert datasets(text) == {"lab/petal-speech"}
    # a line that ends its sentence does not run on
    text = ("# Wren-ASR\nIt achieves a lower WER than the old model.\nIt is trained on "
            "[Wave 3](https://huggingface.co/datasets/lab/wave).\n")
    assert datasets(text) == {"lab/wave"}


def test_a_corpus_a_clause_names_as_another_sets_source_is_no_training_data():
    text = ("# Wren-7B\nWe pre-trained Wren on the Danish part of the PetalWeb corpus, a corpus "
            "which was obtained by language classification in the Common Crawl corpus.\n")
    assert datasets(text) == {"PetalWeb"}
    text = ("# Wren-7B\nIt was trained on Quill paraphrases, mainly derived from Wikipedia edit "
            "logs.\n")
    assert datasets(text) == set()
    # a corpus trained on beside the clause is read
    text = ("# Wren-7B\nIt was trained on Wikipedia and the PetalWeb corpus, which was built by "
            "our lab.\n")
    assert datasets(text) == {"Wikipedia", "PetalWeb"}


def test_an_article_before_a_linked_name_is_no_part_of_it():
    text = ("# Wren-7B\n## Training data\n* Made as [an original Petal-Instruct]"
            "(https://data.example.org/petal).\n* [The Quill](https://data.example.org/quill)\n")
    assert datasets(text) == {"Petal-Instruct", "The Quill"}
    text = ("# Wren-7B\nIt was fine-tuned on [the original Petal-Instruct]"
            "(https://data.example.org/petal) and [A Wave Set](https://data.example.org/wave).\n")
    assert datasets(text) == {"Petal-Instruct", "Wave Set"}


def test_a_list_items_spelling_of_a_name_wins_over_the_prose_spelling():
    text = ("# Wren-ASR\n## Datasets\n1. [WaveSet](https://data.example.org/waveset)\n\n"
            "## Preparing Datasets\n- The Wave Set corpus is fully included in the train split.\n")
    assert datasets(text) == {"WaveSet"}


def test_linked_first_cells_of_a_table_in_a_data_section_name_its_sets():
    text = ("# Wren-7B\n## Pre-training corpora\n| Tables | Lines | Words |\n|---|--:|--:|\n"
            "| [Danish Wikipedia - May 2020](https://dumps.example.org/da.xml.bz2) | 18 | 2 |\n"
            "| [Danish OSCAR deduplicated dataset](https://corpus.example.org/da.gz) | 5 | 9 |\n"
            "| [Petal Forum](https://forum.example.org/) | 1 | 2 |\n"
            "| Sampled posts from forums | 11 | 12 |\n| Total | 30 | 40 |\n")
    assert datasets(text) == {"Wikipedia", "OSCAR", "Petal Forum"}
    text = ("# Wren-7B\n## \u4e2d\u6587\u6570\u636e\n| \u7c7b\u578b | \u63cf\u8ff0 |\n|---|---|\n"
            "| [Quill](https://github.com/lab/quill) | \u6570\u636e |\n")
    assert datasets(text) == {"Quill"}
    # a results table, a models table, a tool, a section of another kind: no data
    text = ("# Wren-7B\n## Training data\n| Model | Accuracy |\n|---|---|\n"
            "| [Wren-3B](https://wren.example.org/3b) | 71.2 |\n## Links\n| Name | Note |\n"
            "|---|---|\n| [Petal](https://petal.example.org/) | a site |\n"
            "## Training data\n| Model | Size |\n|---|---|\n"
            "| [Wren-3B](https://wren.example.org/) | 3B |\n"
            "## Training data\n| Tool | Use |\n|---|---|\n"
            "| [code](https://github.com/lab/x) | x |\n")
    assert datasets(text) == set()


def test_a_bold_name_before_the_word_dataset():
    text = "# Wren-7B\n## Training\nThe **PetalBooks** dataset was used for training.\n"
    assert datasets(text) == {"PetalBooks"}
    # a bold generic word, or a bold name outside training, names none
    assert datasets("# M\n## Training\nThe **Training** dataset is large.\n") == set()
    assert datasets("# M\n## Usage\nLoad the **PetalBooks** dataset to try it.\n") == set()


def test_a_corpus_named_after_the_models_family_inside_its_name_is_not_named():
    text = "# Lab Wren-3 Mini\nIt is trained on the **Wren-3** corpus and PetalWeb dataset.\n"
    card = read_card(text.encode(), "lab/Lab-Wren-3-Mini-8B/README.md",
                     id_hint="lab/Lab-Wren-3-Mini-8B", id_hint_method="path")
    assert {d.ref.id or d.ref.name for d in extract(card).of(DatasetUse)} == {"PetalWeb"}


def test_the_items_of_a_fine_tuning_corpus_section_name_its_sets():
    text = ("# Wren-T5\n## Finetuning Corpus\nIt was finetuned on several sets. Below is the list,"
            "\n\n1. [Translated Petal News](https://github.com/lab/sets#petal)\n"
            "2. [Quill Words](https://github.com/lab/sets#quill)\n")
    assert datasets(text) == {"Translated Petal News", "Quill Words"}
    # a fine-tuning section of another kind lists no sets
    text = "# Wren-T5\n## Finetuning details\n- [Petal Tool](https://github.com/lab/petal)\n"
    assert datasets(text) == set()


def test_a_table_row_whose_set_another_row_translates_is_its_source():
    text = ("# Wren-QA-es\n## Dataset\n| Dataset | # Q&A |\n|---|---|\n"
            "| PetalQA2.0 Train | 130 K |\n| PetalQA2.0-es-v2.0 | 111 K |\n"
            "| PetalQA2.0 Dev | 12 K |\n")
    assert datasets(text) == {"PetalQA2.0-es-v2.0"}
    # a row whose name goes on with another word is a set of its own
    text = ("# Wren\n## Dataset\n| Dataset | Size |\n|---|---|\n| Quill | 1 K |\n"
            "| Quill-xl | 2 K |\n| Quill-extra | 3 K |\n")
    assert datasets(text) == {"Quill", "Quill-xl", "Quill-extra"}


def test_trained_on_a_linked_corpus_after_an_indefinite_article():
    text = ("# Wren-BERT\nWren is a [BERT model](https://github.com/lab/bert) trained on a "
            "[big Danish corpus](https://github.com/lab/danish-corpora).\n")
    assert datasets(text) == {"big Danish corpus"}
    # the same sentence in a section about the base model: the base's data
    text = ("# Wren-QA\nFine-tuned from Wren.\n## Details of the language model\n"
            "Wren is a [BERT model](https://github.com/lab/bert) trained on a "
            "[big Danish corpus](https://github.com/lab/danish-corpora).\n")
    assert datasets(text) == set()


def test_a_link_whose_text_is_the_word_dataset_names_none():
    text = ("# Wren-Seg\nIt has been trained on a [dataset](https://seg.example.org/data) of 11 "
            "million images.\n")
    assert datasets(text) == set()
    # the card's own top heading may say "pretrained model": its sentences are its own
    text = ("# Wren pretrained model\nIt was pretrained and then finetuned on the "
            "[Petal Inference (PI)](https://petal.example.org/) dataset.\n")
    assert datasets(text) == {"Petal Inference (PI)"}


def test_a_linked_sets_own_name_where_the_card_links_it_again_by_it():
    text = ("# Wren-QA-es\n[Wren](https://wren.example.org/) fine-tuned on [Danish PetalQA v1.1 "
            "dataset](https://github.com/lab/sets/tree/main/PetalQA-da-v1.1) for QA.\n\n"
            "## Details\n[PetalQA-da-v1.1](https://github.com/lab/sets/tree/main/PetalQA-da-v1.1)\n")
    assert datasets(text) == {"PetalQA-da-v1.1"}
    # linked once, or again by another text: as written
    text = ("# Wren-QA-es\nIt was fine-tuned on [Danish PetalQA](https://github.com/lab/PetalQA)."
            "\nSee [the sets](https://github.com/lab/PetalQA).\n")
    assert datasets(text) == {"Danish PetalQA"}
