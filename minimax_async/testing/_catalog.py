"""The fixed catalogs the emulator serves: music styles, agent templates, system voices."""

from __future__ import annotations

from typing import Any

__all__ = ["AGENT_TEMPLATES", "MUSIC_STYLES", "VOICES"]

MUSIC_STYLES: list[dict[str, Any]] = [
    {
        "name": "Classical",
        "styles": [
            {"styleId": "1001", "name": "Baroque"},
            {"styleId": "1002", "name": "Romantic Piano"},
        ],
    },
    {
        "name": "World",
        "styles": [
            {"styleId": "2001", "name": "Bossa Nova"},
            {"styleId": "2002", "name": "Afrobeat"},
        ],
    },
    {
        "name": "Popular",
        "styles": [
            {"styleId": "3001", "name": "Popular"},
            {"styleId": "3002", "name": "Urban"},
        ],
    },
]

AGENT_TEMPLATES: list[dict[str, Any]] = [
    {
        "id": "1122334455667788",
        "name": "Futuristic Showcase",
        "requirePrompt": True,
        "requireImage": False,
        "credits": 100,
    },
    {
        "id": "1122334455667789",
        "name": "Vlog Interview",
        "requirePrompt": True,
        "requireImage": True,
        "credits": 150,
    },
    {
        "id": "1122334455667790",
        "name": "Transformers",
        "requirePrompt": False,
        "requireImage": True,
        "credits": 200,
    },
    {
        "id": "1122334455667791",
        "name": "Dance Challenge",
        "requirePrompt": False,
        "requireImage": True,
        "credits": 120,
    },
]

VOICES: list[dict[str, Any]] = [
    {
        "voice_id": "209533299589184",
        "voice_name": "Calm Woman",
        "tag_list": ["English", "Female", "Adult", "Audiobook", "US (General)"],
        "uniq_id": "English_CalmWoman",
    },
    {
        "voice_id": "209544421245048",
        "voice_name": "Diligent Leader",
        "tag_list": ["Italian", "Female", "Adult", "Calm", "Standard"],
        "uniq_id": "Italian_DiligentLeader",
    },
    {
        "voice_id": "209577730181200",
        "voice_name": "Deep Narrator",
        "tag_list": ["English", "Male", "Middle-Aged", "Narrator", "English"],
        "uniq_id": "English_DeepNarrator",
    },
]
