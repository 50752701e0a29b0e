"""Session-state keys that more than one page or helper reads: each is defined here, once.

A page's private widget keys stay in that page; anything another page reads or writes is here.
"""

#: the Dataset this session works on
DATASET = "dataset"
#: the workspace name of the model the pages use
ACTIVE_MODEL = "active_model"
#: the user picked on the Recommend page (Neighbours and Evaluate send users there)
RECOMMEND_USER = "rec_user"
#: its index, for the joint map
RECOMMEND_USER_INDEX = "rec_user_index"
#: user ids lassoed on the Users map, offered on the Recommend page
MAP_SELECTED_USERS = "map_selected_users"
#: item indices lassoed on the Map (kept when the user comes back)
MAP_SELECTED_ITEMS = "map_selected_items"
#: which embeddings the Map shows: "model" or "imported"
MAP_SOURCE = "map_source"
#: an EmbeddingSet imported on the Map page
MAP_IMPORTED = "map_imported"
#: digest of the last file loaded on the Data page (not reloaded on every rerun)
DATA_LOADED_DIGEST = "data_loaded_digest"
#: one-shot message shown on the Data page after a load
DATA_FLASH = "data_flash"
#: where the loaded dataset is kept: a saved-dataset key (its fingerprint), "demo", or absent
#: (not kept: the copy could not be written)
DATASET_SAVED = "dataset_saved_key"
#: the item picked on the Neighbours page (an index into the dataset's items)
NEIGHBOURS_ITEM = "nb_item"
#: the view named in the page URL (dataset, model, user, item), as last read or written
URL_VIEW = "_url_view"
