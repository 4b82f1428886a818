"""Where articles come from: a folder of HTML/text files, or MedQuAD XML files."""
