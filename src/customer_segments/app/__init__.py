"""The Segmentation app (Streamlit): main.py draws the pages, data.py runs their queries."""
