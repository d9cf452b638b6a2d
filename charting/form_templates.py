"""Built-in extraction forms a new review can start from.

"transfer-learning" reproduces the charting form of a published scoping review of transfer learning on
non-image clinical data (PRISMA-ScR): specialty, affiliations, aim, data types, transformation to images,
type of transfer, reused architecture, openness of model, data and code, and software.
"""

from __future__ import annotations

from typing import Any, TypedDict

from charting.keys import choice_entries


class TemplateField(TypedDict, total=False):
    key: str
    label: str
    type: str
    help_text: str
    required: bool
    unit: str
    choices: list[str]
    allow_other: bool
    condition_key: str
    condition_value: str


class TemplateSection(TypedDict):
    key: str
    title: str
    fields: list[TemplateField]


class FormTemplate(TypedDict):
    title: str
    description: str
    sections: list[TemplateSection]


YNU = "yes_no"

TRANSFER_LEARNING: FormTemplate = {
    "title": "Transfer learning on clinical data: charting form",
    "description": "Specialty, affiliations, aim, data types, transfer, architecture, openness and software.",
    "sections": [
        {
            "key": "study",
            "title": "Study",
            "fields": [
                {
                    "key": "specialty",
                    "label": "Medical specialty",
                    "type": "single",
                    "required": True,
                    "choices": [
                        "Cardiology",
                        "Neurology",
                        "Oncology",
                        "Psychiatry",
                        "Critical care",
                        "Pulmonology",
                        "Sleep medicine",
                        "General medicine",
                    ],
                    "allow_other": True,
                    "help_text": "The clinical field the model is meant for.",
                },
                {
                    "key": "affiliations",
                    "label": "Author affiliations",
                    "type": "single",
                    "required": True,
                    "choices": ["Clinical", "Technical", "Both"],
                    "help_text": "Clinical: hospitals, medical schools. Technical: computer science, engineering.",
                },
                {"key": "aim", "label": "Study aim", "type": "long_text", "required": True},
            ],
        },
        {
            "key": "data",
            "title": "Data",
            "fields": [
                {
                    "key": "target_data_type",
                    "label": "Target data type",
                    "type": "single",
                    "required": True,
                    "choices": ["Time series", "Tabular", "Audio", "Text"],
                    "allow_other": True,
                    "help_text": "The data of the clinical task the model was transferred to.",
                },
                {
                    "key": "source_data_type",
                    "label": "Source data type",
                    "type": "single",
                    "required": True,
                    "choices": ["Images", "Time series", "Tabular", "Audio", "Text"],
                    "allow_other": True,
                    "help_text": "The data the reused model was first trained on.",
                },
                {
                    "key": "transformation_to_images",
                    "label": "Transformation to images",
                    "type": YNU,
                    "required": True,
                    "help_text": "Were the target data turned into images (e.g. spectrograms) to reuse an image model?",
                },
                {
                    "key": "sample_size",
                    "label": "Number of patients or participants",
                    "type": "integer",
                    "help_text": "Leave empty when the study does not report it.",
                },
            ],
        },
        {
            "key": "transfer",
            "title": "Transfer learning",
            "fields": [
                {
                    "key": "transfer_type",
                    "label": "Type of transfer",
                    "type": "single",
                    "required": True,
                    "choices": ["Fine-tuning", "Feature-representation", "Both"],
                },
                {
                    "key": "model_architecture",
                    "label": "Reused model architecture",
                    "type": "multiple",
                    "required": True,
                    "choices": ["CNN", "RNN", "LSTM", "Transformer", "Autoencoder"],
                    "allow_other": True,
                },
            ],
        },
        {
            "key": "openness",
            "title": "Openness and software",
            "fields": [
                {"key": "model_public", "label": "Model publicly available", "type": YNU, "required": True},
                {"key": "data_public", "label": "Data publicly available", "type": YNU, "required": True},
                {
                    "key": "data_repository",
                    "label": "Data repository",
                    "type": "short_text",
                    "help_text": "Which repository holds the data (e.g. PhysioNet, UCI, Kaggle).",
                    "condition_key": "data_public",
                    "condition_value": "yes",
                },
                {"key": "code_shared", "label": "Code shared", "type": YNU, "required": True},
                {
                    "key": "code_url",
                    "label": "Code URL",
                    "type": "url",
                    "condition_key": "code_shared",
                    "condition_value": "yes",
                },
                {
                    "key": "software",
                    "label": "Software used",
                    "type": "multiple",
                    "choices": ["Python", "R", "MATLAB", "TensorFlow", "Keras", "PyTorch", "scikit-learn"],
                    "allow_other": True,
                },
            ],
        },
    ],
}

TEMPLATES: dict[str, FormTemplate] = {"transfer-learning": TRANSFER_LEARNING}


def template_choices() -> list[tuple[str, str]]:
    return [(key, template["title"]) for key, template in TEMPLATES.items()]


def template_definition(key: str) -> dict[str, Any]:
    """The template as the plain definition the form services load (choices become value/label pairs)."""
    template = TEMPLATES[key]
    return {
        "title": template["title"],
        "sections": [
            {
                "key": section["key"],
                "title": section["title"],
                "fields": [
                    {**field, "choices": choice_entries(field.get("choices", []))} for field in section["fields"]
                ],
            }
            for section in template["sections"]
        ],
    }
