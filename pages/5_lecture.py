"""Lecture: the guided tour's scenes, each with its script and its link; "Start the tour" opens the first."""
import streamlit as st

from playground.views import lecture
from playground.web import lecture as lecture_ui
from playground.web import room_boxes
from playground.web import rooms as rooms_ui
from playground.web import ui

ui.require_navigation()
rooms_ui.before_page("lecture")
st.title("Lecture")
lecture_ui.tell_bad_scene()  # /lecture?scene=99: said, not silently ignored
lecture_ui.left_tour()  # a scene opened from here takes its link's settings, whatever this session had set
if rooms_ui.following():  # a room's student, or its projector: the lecturer drives, and the scenes' scripts (what
    # to say, the answers to the questions asked) are the lecturer's
    st.info("You follow the lecturer's room: when the tour starts, your screen goes to each scene with them.",
            icon=":material/groups:")
    st.markdown("\n".join(f"{n}. {s.title}" for n, s in enumerate(lecture.SCENES, 1)))
    rooms_ui.after_page("lecture")
    st.stop()
st.markdown(f"A guided tour of the playground in {lecture.count()} scenes. Each scene opens a page with the "
            "settings it needs; a bar at the top of the page says what to do and what the audience will see, and "
            "**Next scene ▶** goes on. Under each scene: what it shows, measured over several seeds.")
classroom = st.toggle("Classroom links (classroom=1)", value=ui.classroom_on(),
                      key="lecture:classroom_links", help="The scenes open in classroom mode: large type, the settings "
                                                    "folded away.")
room_boxes.room_card("lecture")
if st.button("Start the tour", type="primary", icon=":material/play_arrow:", key="lecture:start"):
    lecture_ui.go(1, classroom)
pages = {p.key: p for p in lecture_ui.PAGES}
for n, s in enumerate(lecture.SCENES, 1):
    page = pages[s.page]
    with st.container(border=True):
        st.markdown(f"**{n}. {s.title}** · {page.title}")
        st.markdown(s.script)
        st.caption(f"Checked: {s.claim}")
        st.page_link(page.path, label=f"Open scene {n}", icon=page.icon,
                     query_params=lecture.scene_params(n, classroom))
if st.context.url:
    with st.expander("Every scene's link, to paste into slides"):
        st.code("\n".join(lecture.full_url(st.context.url, n, classroom) for n in range(1, lecture.count() + 1)),
                language=None)
rooms_ui.after_page("lecture")
