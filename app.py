"""perfdash entry point: page setup and navigation (``streamlit run app.py``)."""
import streamlit as st

st.set_page_config(page_title="perfdash 项目绩效管理看板", page_icon="📊", layout="wide")

pages = {
    "总览 Overview": [st.Page("pages/overview.py", title="总览 Overview", icon=":material/dashboard:", url_path="overview", default=True),
                      st.Page("pages/map.py", title="地图 Map", icon=":material/map:", url_path="map")],
    "数据 Data": [st.Page("pages/projects.py", title="项目 Projects", icon=":material/table:", url_path="projects")],
}
st.navigation(pages).run()
