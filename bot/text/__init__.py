"""Customer text before it is understood: layouts, transliteration, spoken numbers."""
